package dev.landfall.pageviews;

import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;

/** Fails the app's next N BatchWriteItem calls that hold an item of a marked page: a chunk that cannot be written, on demand. */
final class WriteFailures implements ExecutionInterceptor {

    private final String marker;
    final AtomicInteger remaining = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    WriteFailures(String marker) {
        this.marker = marker;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof BatchWriteItemRequest b
                && b.requestItems().values().stream().flatMap(java.util.List::stream)
                        .anyMatch(w -> w.putRequest() != null && w.putRequest().item().get(PageViewItems.PAGE_NAME).s().contains(marker))
                && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failed.incrementAndGet();
            throw new IllegalStateException("injected: this BatchWriteItem call fails");
        }
    }
}
