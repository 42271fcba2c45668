package dev.landfall.facility;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Fails the app's next N writes of one monthly object: a month that cannot be written, on demand. */
final class MonthWriteFailures implements ExecutionInterceptor {

    private final String key;
    /** Null: the write goes to a port where nothing listens instead. */
    private final Supplier<RuntimeException> failure;
    final AtomicInteger remaining = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    private MonthWriteFailures(String key, Supplier<RuntimeException> failure) {
        this.key = key;
        this.failure = failure;
    }

    /** S3 cannot be reached (a real refused connection, seen by the outage log): the file is polled again. */
    static MonthWriteFailures unreachable(String key) {
        return new MonthWriteFailures(key, null);
    }

    /** An answer that refuses the write (not an outage): the file goes whole to the dead letter. */
    static MonthWriteFailures refused(String key) {
        return new MonthWriteFailures(key, () -> (RuntimeException) S3Exception.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidRequest").errorMessage("injected: refused").build())
                .message("injected: the write of " + key + " is refused").build());
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (failure != null && fails(context.request())) {
            throw failure.get();
        }
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if (failure == null && fails(context.request())) {
            // port 1: nothing listens there, so the call fails as it would with S3 down
            return context.httpRequest().toBuilder().port(1).build();
        }
        return context.httpRequest();
    }

    private boolean fails(Object request) {
        if (request instanceof PutObjectRequest put && key.equals(put.key()) && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failed.incrementAndGet();
            return true;
        }
        return false;
    }
}
