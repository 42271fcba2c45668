package dev.landfall.testing;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Optional;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Faults that DynamoDB Local never produces, injected on the real client against the real server: a share of
 * BatchWriteItem calls send only part of their items and report the rest as UnprocessedItems (as DynamoDB
 * does under load), and a share of real answers are turned into throttling errors after the server wrote.
 */
public final class FaultInjector implements ExecutionInterceptor {

    private static final ExecutionAttribute<Map<String, List<WriteRequest>>> HELD_BACK = new ExecutionAttribute<>("landfall.heldBack");
    private static final ExecutionAttribute<Boolean> THROTTLE = new ExecutionAttribute<>("landfall.throttle");

    private final double partialRate;
    private final double throttleRate;
    private final Random random;
    public final AtomicInteger partials = new AtomicInteger();
    public final AtomicInteger throttles = new AtomicInteger();

    public FaultInjector(double partialRate, double throttleRate, long seed) {
        this.partialRate = partialRate;
        this.throttleRate = throttleRate;
        this.random = new Random(seed);
    }

    private synchronized double roll() {
        return random.nextDouble();
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof BatchWriteItemRequest req)) {
            return context.request();
        }
        if (roll() < throttleRate) {
            attributes.putAttribute(THROTTLE, true);
        }
        if (roll() >= partialRate) {
            return req;
        }
        Map<String, List<WriteRequest>> send = new HashMap<>();
        Map<String, List<WriteRequest>> held = new HashMap<>();
        req.requestItems().forEach((table, writes) -> {
            int keep = Math.max(1, writes.size() / 2);
            send.put(table, new ArrayList<>(writes.subList(0, keep)));
            if (keep < writes.size()) {
                held.put(table, new ArrayList<>(writes.subList(keep, writes.size())));
            }
        });
        if (held.isEmpty()) {
            return req;
        }
        partials.incrementAndGet();
        attributes.putAttribute(HELD_BACK, held);
        return req.toBuilder().requestItems(send).build();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!Boolean.TRUE.equals(attributes.getAttribute(THROTTLE))) {
            return context.httpResponse();
        }
        throttles.incrementAndGet();
        return context.httpResponse().toBuilder().statusCode(400).statusText("Bad Request").build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!Boolean.TRUE.equals(attributes.getAttribute(THROTTLE))) {
            return context.responseBody();
        }
        // drain the real answer so its connection goes back to the pool
        context.responseBody().ifPresent(in -> {
            try (in) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                + "\"message\":\"injected throttling\"}";
        return Optional.of(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        if (!(context.response() instanceof BatchWriteItemResponse resp)) {
            return context.response();
        }
        Map<String, List<WriteRequest>> held = attributes.getAttribute(HELD_BACK);
        if (held == null) {
            return resp;
        }
        Map<String, List<WriteRequest>> unprocessed = new HashMap<>(resp.unprocessedItems());
        held.forEach((t, w) -> unprocessed.merge(t, w, (a, b) -> {
            List<WriteRequest> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }));
        return resp.toBuilder().unprocessedItems(unprocessed).build();
    }
}
