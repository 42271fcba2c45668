package dev.landfall.pageviews;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/** Holds the app's DynamoDB queries and scans that name a marker value until released: slow API calls on demand, no sleeps. */
final class QueryGate implements ExecutionInterceptor {

    private final String marker;
    private volatile CountDownLatch open = new CountDownLatch(0);
    final AtomicInteger held = new AtomicInteger();

    QueryGate(String marker) {
        this.marker = marker;
    }

    void close() {
        open = new CountDownLatch(1);
    }

    void release() {
        open.countDown();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        java.util.Map<String, AttributeValue> values = context.request() instanceof QueryRequest q ? q.expressionAttributeValues()
                : context.request() instanceof ScanRequest s ? s.expressionAttributeValues() : java.util.Map.of();
        if (values.values().stream().noneMatch(v -> v.s() != null && v.s().contains(marker))) {
            return;
        }
        CountDownLatch latch = open;
        held.incrementAndGet();
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held", e);
        } finally {
            held.decrementAndGet();
        }
    }
}
