package dev.landfall.local;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.landfall.meters.MeterValues;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Our EAGLE simulator: N gateways on one loopback port ({@code http://127.0.0.1:<port>/d/<cloudId>}, the EAGLE's
 * {@code /cgi-bin/post_manager} under it), speaking the EAGLE REST API 1.1 (EAGLE-100: Cloud-ID / User / Password
 * headers) or the EAGLE-200 local API (HTTP Basic cloud id : install code) as documented, with deterministic readings
 * and a behaviour per device: normal, slow, wrong password, down (its endpoint's port refuses connections), hanging
 * (never answers) or flapping (a minute up, a minute dropping the connection). Non-blocking (Vert.x), so 10,000
 * devices with 20-200 ms latency fit in one process.
 */
public final class EagleSimulator implements AutoCloseable {

    /** GARBLED: answers 200 with a torn XML answer once the credential is right (a body that does not decode). */
    public enum Behaviour { NORMAL, SLOW, WRONG_PASSWORD, DOWN, HANGING, FLAPPING, GARBLED }

    /** What a GARBLED device answers: the start of an answer, cut off. */
    public static final String GARBLED_ANSWER = "<InstantaneousDemand>\n  <DeviceMacId>0xd8d5b9000000";

    public enum Api { EAGLE100, EAGLE200 }

    /** A simulated gateway; {@code credential} is what it accepts (a WRONG_PASSWORD device accepts something else). */
    public record Device(String cloudId, Api api, String email, String credential, Behaviour behaviour, int latencyMs) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final int downPort;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> answered = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> asked = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> readingsAsked = new ConcurrentHashMap<>();
    private volatile boolean recordTimes;
    private final AtomicInteger maxInFlightPerDevice = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final long startMs = System.currentTimeMillis();

    private EagleSimulator(Vertx vertx, HttpServer server, int downPort) {
        this.vertx = vertx;
        this.server = server;
        this.downPort = downPort;
    }

    public static EagleSimulator start(List<Device> devices) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        EagleSimulator[] self = new EagleSimulator[1];
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setIdleTimeout(120))
                .requestHandler(req -> self[0].handle(req))
                .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // a port nothing listens on: the DOWN devices' endpoints refuse connections
        int down;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            down = s.getLocalPort();
        }
        self[0] = new EagleSimulator(vertx, server, down);
        devices.forEach(self[0]::add);
        return self[0];
    }

    /** A fleet of {@code n} devices, ids {@code prefix} + 6 digits, behaviours by share (in order of id, spread). */
    public static List<Device> fleet(int n, String prefix, double badCredentials, double down, double hanging, int minLatencyMs,
                                     int maxLatencyMs, long seed) {
        java.util.Random r = new java.util.Random(seed);
        List<Device> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double x = r.nextDouble();
            Behaviour b = x < badCredentials ? Behaviour.WRONG_PASSWORD : x < badCredentials + down ? Behaviour.DOWN
                    : x < badCredentials + down + hanging ? Behaviour.HANGING : Behaviour.NORMAL;
            Api api = i % 2 == 0 ? Api.EAGLE100 : Api.EAGLE200;
            int latency = minLatencyMs + (maxLatencyMs > minLatencyMs ? r.nextInt(maxLatencyMs - minLatencyMs + 1) : 0);
            out.add(new Device(prefix + String.format("%06d", i), api, "owner" + i + "@example.com", "secret-" + Long.toHexString(r.nextLong()),
                    b, latency));
        }
        return out;
    }

    public void add(Device d) {
        devices.put(d.cloudId(), d);
        inFlight.put(d.cloudId(), new AtomicInteger());
        answered.put(d.cloudId(), new AtomicLong());
        asked.put(d.cloudId(), new AtomicLong());
        readingsAsked.put(d.cloudId(), java.util.Collections.synchronizedList(new ArrayList<>()));
    }

    /** From now on, keep when each device was asked for a reading (a bench's slot check). */
    public void recordTimes(boolean on) {
        recordTimes = on;
    }

    /** When the device was asked for a reading (epoch ms), while {@link #recordTimes} was on. */
    public List<Long> readingTimes(String cloudId) {
        List<Long> t = readingsAsked.get(cloudId);
        synchronized (t) {
            return List.copyOf(t);
        }
    }

    public int port() {
        return server.actualPort();
    }

    /** The base URL to register the device with. */
    public String endpointOf(Device d) {
        int port = d.behaviour() == Behaviour.DOWN ? downPort : port();
        return "http://127.0.0.1:" + port + "/d/" + d.cloudId();
    }

    /** The registration body of a device for PUT /api/meters/devices/<cloudId> (the credential it accepts, or a wrong one). */
    public String registration(Device d) {
        String credential = d.behaviour() == Behaviour.WRONG_PASSWORD ? "not-" + d.credential() : d.credential();
        return "{\"email\":\"" + d.email() + "\",\"api\":\"" + d.api().name().toLowerCase(java.util.Locale.ROOT) + "\",\"endpoint\":\""
                + endpointOf(d) + "\",\"credential\":\"" + credential + "\"}";
    }

    public long requests() {
        return requests.get();
    }

    public long answered(String cloudId) {
        AtomicLong n = answered.get(cloudId);
        return n == null ? 0 : n.get();
    }

    /** Requests a device received (whatever it answered). */
    public long asked(String cloudId) {
        AtomicLong n = asked.get(cloudId);
        return n == null ? 0 : n.get();
    }

    /** The most requests one device ever had in flight at once (the poller promises 1). */
    public int maxInFlightPerDevice() {
        return maxInFlightPerDevice.get();
    }

    /** The reading a device gives at a time: deterministic, demand varies by minute, summations only grow. */
    public static MeterValues valuesOf(Device d, Instant at) {
        long seconds = at.getEpochSecond();
        int h = Math.abs(d.cloudId().hashCode());
        BigDecimal demand = BigDecimal.valueOf((h % 5000) + (seconds / 60 % 37) * 13, 3);
        BigDecimal delivered = BigDecimal.valueOf(10_000_000L + (h % 100_000) + (seconds - 1_700_000_000L) / 10, 3);
        BigDecimal received = BigDecimal.valueOf(h % 7 == 0 ? (seconds - 1_700_000_000L) / 100 : 0, 3);
        Instant meterTime = Instant.ofEpochSecond(seconds);
        String meterMac = String.format("0x%016x", 0x0013500100000000L + (h & 0xffffffL));
        String deviceMac = String.format("0x%016x", 0xd8d5b90000000000L + (h & 0xffffffL));
        return new MeterValues(meterTime, demand.setScale(3, RoundingMode.UNNECESSARY), delivered, received, deviceMac, meterMac);
    }

    private void handle(HttpServerRequest req) {
        requests.incrementAndGet();
        String path = req.path();
        String[] parts = path.split("/");
        // /d/<cloudId>/cgi-bin/post_manager
        if (parts.length != 5 || !"d".equals(parts[1]) || !"post_manager".equals(parts[4]) || req.method() != io.vertx.core.http.HttpMethod.POST) {
            req.response().setStatusCode(404).end("Not Found");
            return;
        }
        Device d = devices.get(parts[2]);
        if (d == null) {
            req.response().setStatusCode(404).end("Not Found");
            return;
        }
        asked.get(d.cloudId()).incrementAndGet();
        AtomicInteger flying = inFlight.get(d.cloudId());
        int now = flying.incrementAndGet();
        maxInFlightPerDevice.accumulateAndGet(now, Math::max);
        req.body().onComplete(body -> {
            if (body.failed()) {
                flying.decrementAndGet();
                return;
            }
            String command = body.result().toString(StandardCharsets.UTF_8);
            if (recordTimes && (command.contains("get_instantaneous_demand") || command.contains("device_query")
                    || command.contains("get_device_data"))) {
                readingsAsked.get(d.cloudId()).add(System.currentTimeMillis());
            }
            if (d.behaviour() == Behaviour.HANGING) {
                req.connection().closeHandler(v -> flying.decrementAndGet());
                return;
            }
            if (d.behaviour() == Behaviour.FLAPPING && ((System.currentTimeMillis() - startMs) / 60_000) % 2 == 1) {
                flying.decrementAndGet();
                req.connection().close();
                return;
            }
            long delay = Math.max(1, d.latencyMs());
            vertx.setTimer(delay, t -> {
                try {
                    answer(d, req, command);
                } finally {
                    flying.decrementAndGet();
                }
            });
        });
    }

    private void answer(Device d, HttpServerRequest req, String command) {
        boolean authorised;
        if (d.api() == Api.EAGLE100) {
            authorised = d.cloudId().equals(req.getHeader("Cloud-ID")) && d.credential().equals(req.getHeader("Password"));
            if (!authorised) {
                req.response().putHeader("Content-Type", "text/xml").end(EagleResponses.eagle100Error("Invalid user or password"));
                return;
            }
            if (d.behaviour() == Behaviour.GARBLED) {
                req.response().putHeader("Content-Type", "text/xml").end(GARBLED_ANSWER);
                return;
            }
            boolean json = command.contains("<Format>JSON</Format>");
            MeterValues v = valuesOf(d, Instant.now());
            int digits = d.cloudId().hashCode() % 2 == 0 ? 6 : 8;
            String answer;
            if (command.contains("<Name>get_instantaneous_demand</Name>")) {
                answered.get(d.cloudId()).incrementAndGet();
                answer = EagleResponses.eagle100Notification(new MeterValues(v.meterTime(), v.demandKw(), null, null, v.deviceMac(),
                        v.meterMac()), json, digits);
            } else if (command.contains("<Name>get_current_summation</Name>")) {
                answer = EagleResponses.eagle100Notification(new MeterValues(v.meterTime(), null, v.summationDeliveredKwh(),
                        v.summationReceivedKwh(), v.deviceMac(), v.meterMac()), json, digits);
            } else if (command.contains("<Name>get_device_data</Name>")) {
                answered.get(d.cloudId()).incrementAndGet();
                answer = EagleResponses.eagle100DeviceData(v, json, digits);
            } else {
                answer = EagleResponses.eagle100Error("Unknown command");
            }
            req.response().putHeader("Content-Type", json ? "application/json" : "text/xml").end(answer);
            return;
        }
        String basic = "Basic " + Base64.getEncoder().encodeToString((d.cloudId() + ":" + d.credential()).getBytes(StandardCharsets.UTF_8));
        if (!basic.equals(req.getHeader("Authorization"))) {
            req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"EAGLE\"").end("Unauthorized");
            return;
        }
        if (d.behaviour() == Behaviour.GARBLED) {
            req.response().putHeader("Content-Type", "text/xml").end(GARBLED_ANSWER);
            return;
        }
        MeterValues v = valuesOf(d, Instant.now());
        if (command.contains("device_list")) {
            req.response().putHeader("Content-Type", "text/xml").end(EagleResponses.eagle200DeviceList(v.meterMac()));
        } else if (command.contains("device_query")) {
            answered.get(d.cloudId()).incrementAndGet();
            req.response().putHeader("Content-Type", "text/xml")
                    .end(EagleResponses.eagle200DeviceQuery(v, d.cloudId().hashCode() % 2 == 0));
        } else {
            req.response().setStatusCode(400).end("<Error><Text>Unknown command</Text></Error>");
        }
    }

    /** Counts per behaviour, for a bench's report. */
    public Map<Behaviour, Integer> behaviours() {
        Map<Behaviour, Integer> m = new LinkedHashMap<>();
        for (Device d : devices.values()) {
            m.merge(d.behaviour(), 1, Integer::sum);
        }
        return m;
    }

    public List<Device> devices() {
        return List.copyOf(devices.values());
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
