package dev.landfall.facility;

import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** Fails the app's next N writes of one monthly object as if S3 could not be reached: a month that cannot be written, on demand. */
final class MonthWriteFailures implements ExecutionInterceptor {

    private final String key;
    final AtomicInteger remaining = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    MonthWriteFailures(String key) {
        this.key = key;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof PutObjectRequest put && key.equals(put.key())
                && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failed.incrementAndGet();
            throw SdkClientException.create("injected: S3 cannot be reached for " + key);
        }
    }
}
