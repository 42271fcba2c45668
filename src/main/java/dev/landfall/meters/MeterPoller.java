package dev.landfall.meters;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Polls the gateways of the shards this replica leads, each once per period in its own slot (its phase spread by its
 * id), with non-blocking HTTP on event loops ({@link EagleHttp}): a bounded number of requests in flight, one at a time per device,
 * connect and read timeouts. A device's state decides when it is polled next: OK every period, BAD_CREDENTIALS every
 * 5 minutes, UNREACHABLE and BAD_RESPONSE with a backoff doubling up to a minute. One log line per change of state,
 * never one per failed poll. The credential is opened here for the request alone and never leaves the request.
 */
public final class MeterPoller implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MeterPoller.class);

    /** What the poller hands on. */
    public interface Sink {
        void reading(MeterReading reading);

        /** A response that did not decode, once per entry into BAD_RESPONSE (the body is the device's, never ours). */
        void badResponse(MeterDevice device, String body, String reason);

        void stateChanged(MeterDevice device, MeterStatus.Change change, String error);
    }

    public record Settings(Duration period, int maxInFlight) {
    }

    /** The outcome of one poll. */
    record Outcome(DeviceState state, MeterValues values, String error, String body) {
    }

    private final class Polled {
        final MeterDevice device;
        final int shard;
        final MeterStatus status;
        final long phase;
        volatile boolean removed;
        volatile boolean inFlight;
        volatile ScheduledFuture<?> next;
        volatile long slot;
        int failures;
        volatile String meterAddress;

        Polled(MeterDevice device, int shard, MeterStatus status) {
            this.device = device;
            this.shard = shard;
            this.status = status;
            this.phase = MeterDevice.phaseOf(device.cloudId(), periodMs);
        }
    }

    private final EagleHttp http;
    private final DeviceCredentials credentials;
    private final Sink sink;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final long periodMs;
    private final Semaphore inFlight;
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final Map<String, Polled> devices = new ConcurrentHashMap<>();
    private final Map<Integer, BooleanSupplier> shards = new ConcurrentHashMap<>();
    private final MeterPollStats stats;

    public MeterPoller(EagleHttp http, DeviceCredentials credentials, Sink sink, ScheduledExecutorService timer, Clock clock,
                       Settings settings, MeterPollStats stats) {
        this.http = http;
        this.credentials = credentials;
        this.sink = sink;
        this.timer = timer;
        this.clock = clock;
        this.periodMs = settings.period().toMillis();
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.stats = stats;
    }

    /**
     * This replica leads the shard: poll exactly these of its devices (others stop) while {@code owned} holds.
     *
     * @param stored the stored states of the devices, continued here (their counters carry on)
     */
    public void assign(int shard, List<MeterDevice> shardDevices, Map<String, Map<String, AttributeValue>> stored, BooleanSupplier owned) {
        boolean taken = shards.put(shard, owned) == null;
        Set<String> keep = new HashSet<>();
        long now = clock.millis();
        for (MeterDevice d : shardDevices) {
            if (!d.enabled()) {
                continue;
            }
            keep.add(d.cloudId());
            Polled p = devices.get(d.cloudId());
            if (p != null && !p.removed && p.device.equals(d)) {
                continue;
            }
            MeterStatus status = p != null ? p.status : MeterStatus.of(stored.get(d.cloudId()));
            if (p != null) {
                stop(p);
            }
            Polled fresh = new Polled(d, shard, status);
            devices.put(d.cloudId(), fresh);
            schedule(fresh, nextSlot(fresh, now));
        }
        for (Polled p : List.copyOf(devices.values())) {
            if (p.shard == shard && !keep.contains(p.device.cloudId())) {
                stop(p);
                devices.remove(p.device.cloudId(), p);
            }
        }
        if (taken) {
            LOG.info("meters: shard {} taken here: polling its {} enabled devices ({} shards led here)", shard, keep.size(), shards.size());
        }
    }

    /** Stops polling a shard's devices (its leadership moved away). */
    public void release(int shard) {
        boolean held = shards.remove(shard) != null;
        int stopped = 0;
        for (Polled p : List.copyOf(devices.values())) {
            if (p.shard == shard) {
                stop(p);
                devices.remove(p.device.cloudId(), p);
                stopped++;
            }
        }
        if (held) {
            LOG.info("meters: shard {} released (led elsewhere now): {} devices stopped here ({} shards led here)", shard, stopped,
                    shards.size());
        }
    }

    public int polledDevices() {
        return devices.size();
    }

    public Set<Integer> shards() {
        return Set.copyOf(shards.keySet());
    }

    /** The state items changed since the last call, of the devices of shards still led here. */
    public List<Map<String, AttributeValue>> takeStateChanges() {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        for (Polled p : devices.values()) {
            if (!p.removed && owns(p.shard)) {
                Map<String, AttributeValue> item = p.status.takeChanges(p.device.cloudId());
                if (item != null) {
                    out.add(item);
                }
            }
        }
        return out;
    }

    private boolean owns(int shard) {
        BooleanSupplier owned = shards.get(shard);
        return owned != null && owned.getAsBoolean();
    }

    private void stop(Polled p) {
        p.removed = true;
        ScheduledFuture<?> f = p.next;
        if (f != null) {
            f.cancel(false);
        }
    }

    /** The first slot of the device at or after {@code notBefore}. */
    long nextSlot(Polled p, long notBefore) {
        long k = Math.floorDiv(notBefore - p.phase + periodMs - 1, periodMs);
        return k * periodMs + p.phase;
    }

    private void schedule(Polled p, long slot) {
        if (p.removed) {
            return;
        }
        p.slot = slot;
        try {
            p.next = timer.schedule(() -> due(p), Math.max(0, slot - clock.millis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // only while stopping; otherwise a device would silently fall out of its slots
            if (!timer.isShutdown()) {
                LOG.error("meters: the poll timer refused {}'s next slot: {}", p.device.cloudId(), e.toString());
            }
        }
    }

    private void due(Polled p) {
        if (p.removed) {
            return;
        }
        if (!owns(p.shard)) {
            release(p.shard);
            return;
        }
        if (p.inFlight) {
            stats.missed();
            schedule(p, nextSlot(p, clock.millis() + 1));
            return;
        }
        p.inFlight = true;
        if (inFlight.tryAcquire()) {
            send(p);
        } else {
            waiting.add(() -> send(p));
            // a permit freed between the failed try and the add would leave this waiting: drain once more
            drain();
        }
    }

    private void drain() {
        while (!waiting.isEmpty() && inFlight.tryAcquire()) {
            Runnable r = waiting.poll();
            if (r == null) {
                inFlight.release();
                return;
            }
            r.run();
        }
    }

    private void send(Polled p) {
        if (p.removed) {
            // stopped while it waited for a permit
            p.inFlight = false;
            inFlight.release();
            drain();
            return;
        }
        long start = clock.millis();
        stats.lateness(start - p.slot);
        Instant polledAt = Instant.ofEpochMilli(start);
        CompletableFuture<Outcome> poll;
        try {
            poll = poll(p.device, p);
        } catch (RuntimeException e) {
            poll = CompletableFuture.completedFuture(new Outcome(DeviceState.BAD_RESPONSE, null, e.getMessage(), null));
        }
        poll.whenComplete((outcome, error) -> {
            inFlight.release();
            if (p.removed) {
                // its shard moved or the poller stopped meanwhile: the outcome (often "client closed") is not the device's
                p.inFlight = false;
                drain();
                return;
            }
            long next = -1;
            try {
                next = handle(p, polledAt, outcome != null ? outcome : unreachable(error));
            } catch (RuntimeException e) {
                LOG.error("meters: the poll of {} could not be handled: {}", p.device.cloudId(), e.toString());
            } finally {
                p.inFlight = false;
                // whatever happened, the device keeps its slots
                schedule(p, next >= 0 ? next : nextSlot(p, clock.millis() + 1));
                drain();
            }
        });
    }

    /** @return when the device is polled next */
    private long handle(Polled p, Instant polledAt, Outcome o) {
        stats.polled(o.state());
        MeterStatus.Change change = p.status.enter(o.state(), o.error(), polledAt);
        long now = clock.millis();
        long next;
        if (o.state() == DeviceState.OK) {
            p.failures = 0;
            sink.reading(new MeterReading(p.device.cloudId(), polledAt, o.values()));
            p.status.logged(polledAt);
            next = nextSlot(p, now + 1);
        } else if (o.state() == DeviceState.BAD_CREDENTIALS) {
            p.failures = 0;
            next = nextSlot(p, polledAt.toEpochMilli() + DeviceState.BAD_CREDENTIALS_RETRY.toMillis());
        } else {
            p.failures = Math.min(p.failures + 1, 20);
            long backoff = Math.min(periodMs << Math.min(p.failures - 1, 10), Math.max(periodMs, DeviceState.MAX_BACKOFF.toMillis()));
            next = nextSlot(p, Math.max(now + 1, p.slot + backoff));
        }
        if (change != null && (change.was() != null || change.now() != DeviceState.OK)) {
            sink.stateChanged(p.device, change, o.error());
        }
        if (change != null && o.state() == DeviceState.BAD_RESPONSE && o.body() != null) {
            sink.badResponse(p.device, o.body(), o.error());
        }
        return next;
    }

    private static Outcome unreachable(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return new Outcome(DeviceState.UNREACHABLE, null, EagleHttp.unreachable(e).getMessage(), null);
    }

    /** Polls a device once, whatever its shard (the API's {@code /now}). */
    public CompletableFuture<Outcome> pollNow(MeterDevice d) {
        Polled p = devices.get(d.cloudId());
        return poll(d, p != null && p.device.equals(d) ? p : null).exceptionally(MeterPoller::unreachable);
    }

    private CompletableFuture<Outcome> poll(MeterDevice d, Polled p) {
        // the credential is opened once per poll, for its requests alone
        Map<String, String> headers = headers(d);
        return switch (d.api()) {
            // the REST API's documented pair (get_device_data is only documented for the older socket API), one after the other
            case EAGLE100 -> request(d, headers, EagleCommands.eagle100InstantaneousDemand(null, false))
                    .thenApply(r -> decode(r, Eagle100Decoder::decode))
                    .thenCompose(demand -> demand.state() != DeviceState.OK ? CompletableFuture.completedFuture(demand)
                            : request(d, headers, EagleCommands.eagle100CurrentSummation(null, false))
                                    .thenApply(r -> merge(demand, decode(r, Eagle100Decoder::decode))));
            case EAGLE200 -> {
                String known = p == null ? null : p.meterAddress;
                CompletableFuture<String> address = known != null ? CompletableFuture.completedFuture(known)
                        : request(d, headers, EagleCommands.eagle200DeviceList()).thenApply(r -> {
                            Outcome bad = failure(r);
                            if (bad != null) {
                                throw new OutcomeException(bad);
                            }
                            List<String> meters;
                            try {
                                meters = Eagle200Decoder.meterAddresses(r.body());
                            } catch (EagleResponseException e) {
                                // a torn or refused device list is the device's answer, not a lost connection
                                throw new OutcomeException(refused(e, r.body()));
                            }
                            if (meters.isEmpty()) {
                                throw new OutcomeException(new Outcome(DeviceState.BAD_RESPONSE, null, "the gateway lists no meter", r.body()));
                            }
                            if (p != null) {
                                p.meterAddress = meters.get(0);
                            }
                            return meters.get(0);
                        });
                yield address.thenCompose(a -> request(d, headers, EagleCommands.eagle200DeviceQuery(a)))
                        .thenApply(r -> decode(r, Eagle200Decoder::decodeDeviceQuery))
                        .exceptionally(e -> {
                            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                            if (c instanceof OutcomeException oe) {
                                return oe.outcome;
                            }
                            return unreachable(c);
                        });
            }
        };
    }

    /** The demand's answer and the summation's, as one reading (the later of their meter times). */
    static Outcome merge(Outcome demand, Outcome summation) {
        if (summation.state() != DeviceState.OK) {
            return summation;
        }
        MeterValues a = demand.values(), b = summation.values();
        java.time.Instant t = a.meterTime() == null ? b.meterTime()
                : b.meterTime() == null || a.meterTime().isAfter(b.meterTime()) ? a.meterTime() : b.meterTime();
        return new Outcome(DeviceState.OK, new MeterValues(t, a.demandKw() != null ? a.demandKw() : b.demandKw(),
                b.summationDeliveredKwh() != null ? b.summationDeliveredKwh() : a.summationDeliveredKwh(),
                b.summationReceivedKwh() != null ? b.summationReceivedKwh() : a.summationReceivedKwh(),
                a.deviceMac() != null ? a.deviceMac() : b.deviceMac(), a.meterMac() != null ? a.meterMac() : b.meterMac()), null, null);
    }

    private static final class OutcomeException extends RuntimeException {
        final Outcome outcome;

        OutcomeException(Outcome outcome) {
            super(outcome.error(), null, false, false);
            this.outcome = outcome;
        }
    }

    private CompletableFuture<EagleHttp.Answer> request(MeterDevice d, Map<String, String> headers, String command) {
        String base = d.endpoint();
        String uri = base.endsWith("/post_manager") ? base : (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/cgi-bin/post_manager";
        return http.post(uri, headers, command);
    }

    /** The request headers of a device, its credential opened into them (never into a log line or a Camel header). */
    private Map<String, String> headers(MeterDevice d) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/xml");
        char[] secret = credentials.open(d.cloudId(), d.sealedCredential());
        try {
            if (d.api() == MeterDevice.Api.EAGLE100) {
                headers.put("Cloud-ID", d.cloudId());
                if (d.email() != null) {
                    headers.put("User", d.email());
                }
                headers.put("Password", new String(secret));
            } else {
                byte[] basic = (d.cloudId() + ":" + new String(secret)).getBytes(StandardCharsets.UTF_8);
                headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic));
                java.util.Arrays.fill(basic, (byte) 0);
            }
        } finally {
            java.util.Arrays.fill(secret, '\0');
        }
        return headers;
    }

    private static Outcome failure(EagleHttp.Answer r) {
        int s = r.status();
        if (s == EagleHttp.TOO_LONG) {
            return new Outcome(DeviceState.BAD_RESPONSE, null, "the answer is over " + EagleHttp.MAX_BODY / 1024 + " KiB", null);
        }
        if (s == 401 || s == 403) {
            return new Outcome(DeviceState.BAD_CREDENTIALS, null, "HTTP " + s + " (credential refused)", null);
        }
        if (s >= 500) {
            return new Outcome(DeviceState.UNREACHABLE, null, "HTTP " + s, null);
        }
        if (s < 200 || s >= 300) {
            return new Outcome(DeviceState.BAD_RESPONSE, null, "HTTP " + s, r.body());
        }
        return null;
    }

    private static Outcome decode(EagleHttp.Answer r, java.util.function.Function<String, MeterValues> decoder) {
        Outcome bad = failure(r);
        if (bad != null) {
            return bad;
        }
        try {
            MeterValues v = decoder.apply(r.body());
            if (v == null || !v.hasReading()) {
                return new Outcome(DeviceState.BAD_RESPONSE, null, "the answer holds no reading", r.body());
            }
            return new Outcome(DeviceState.OK, v, null, null);
        } catch (EagleResponseException e) {
            return refused(e, r.body());
        }
    }

    /** An answer that does not decode: BAD_RESPONSE with the body, or BAD_CREDENTIALS when the device's error reply says so. */
    private static Outcome refused(EagleResponseException e, String body) {
        boolean credentials = e instanceof EagleErrorReply reply && reply.credentials();
        return new Outcome(credentials ? DeviceState.BAD_CREDENTIALS : DeviceState.BAD_RESPONSE, null, e.getMessage(), credentials ? null : body);
    }

    @Override
    public void close() {
        for (Polled p : devices.values()) {
            stop(p);
        }
        devices.clear();
        shards.clear();
        http.close();
    }

    /** For the metrics: how many devices are in each state now. */
    public Map<DeviceState, AtomicLong> stateCounts() {
        Map<DeviceState, AtomicLong> counts = new java.util.EnumMap<>(DeviceState.class);
        for (DeviceState s : DeviceState.values()) {
            counts.put(s, new AtomicLong());
        }
        for (Polled p : devices.values()) {
            DeviceState s = p.status.state();
            if (s != null) {
                counts.get(s).incrementAndGet();
            }
        }
        return counts;
    }
}
