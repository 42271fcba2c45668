package dev.landfall.meters;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.common.NotFound;
import dev.landfall.common.UpstreamFailed;

/**
 * The registry's API: put, get, delete and list devices, import them as JSON lines, and poll one at once. A credential
 * is write-only: accepted in a PUT or an import line ({@code credential}, or {@code password} / {@code installCode}),
 * sealed at once, and never answered back.
 */
public final class MetersApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_LIMIT = 1000;

    private final MeterRegistry registry;
    private final DeviceCredentials credentials;
    private final MeterPoller poller;
    private final MeterShards shards;
    private final Clock clock;
    private final Duration nowTimeout;

    public MetersApi(MeterRegistry registry, DeviceCredentials credentials, MeterPoller poller, MeterShards shards, Clock clock,
                     Duration nowTimeout) {
        this.registry = registry;
        this.credentials = credentials;
        this.poller = poller;
        this.shards = shards;
        this.clock = clock;
        this.nowTimeout = nowTimeout;
    }

    /** The answer of a PUT: the device as shown, and whether it is new (201) or replaced (200). */
    public record Put(Map<String, Object> device, boolean created) {
        public int status() {
            return created ? 201 : 200;
        }
    }

    public Put put(String cloudId, String body) {
        MeterDevice.checkCloudId(cloudId);
        JsonNode n = parse(body);
        MeterDevice d = device(cloudId, n, registry.get(cloudId).orElse(null));
        boolean created = registry.put(d);
        shards.changed();
        return new Put(MeterRegistry.view(d, registry.state(cloudId)), created);
    }

    public Map<String, Object> get(String cloudId) {
        MeterDevice d = registry.get(MeterDevice.checkCloudId(cloudId)).orElseThrow(() -> new NotFound("no device " + cloudId));
        return MeterRegistry.view(d, registry.state(cloudId));
    }

    public void delete(String cloudId) {
        if (!registry.delete(MeterDevice.checkCloudId(cloudId))) {
            throw new NotFound("no device " + cloudId);
        }
        shards.changed();
    }

    public Map<String, Object> list(Integer limit, String cursor) {
        int l = limit == null ? 100 : limit;
        if (l < 1 || l > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
        }
        MeterRegistry.Page page = registry.page(l, cursor);
        List<Map<String, Object>> out = new ArrayList<>();
        for (MeterDevice d : page.devices()) {
            out.add(MeterRegistry.view(d, null));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("devices", out);
        if (page.cursor() != null) {
            m.put("cursor", page.cursor());
        }
        return m;
    }

    /** One device per JSON line ({@code cloudId} and the fields of a PUT); a bad line is reported and skipped. */
    public Map<String, Object> importLines(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("the body holds no line: one JSON object per line, each with a cloudId");
        }
        int imported = 0, line = 0;
        List<Map<String, Object>> errors = new ArrayList<>();
        for (String text : body.split("\n", -1)) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            try {
                JsonNode n = parse(text);
                String cloudId = text(n, "cloudId");
                if (cloudId == null) {
                    throw new IllegalArgumentException("cloudId is required");
                }
                MeterDevice.checkCloudId(cloudId);
                registry.put(device(cloudId, n, registry.get(cloudId).orElse(null)));
                imported++;
            } catch (IllegalArgumentException e) {
                errors.add(Map.of("line", line, "message", e.getMessage()));
            }
        }
        shards.changed();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("imported", imported);
        m.put("failed", errors.size());
        m.put("errors", errors);
        return m;
    }

    /** Polls the device at once and answers its decoded reading. */
    public String now(String cloudId) throws InterruptedException {
        MeterDevice d = registry.get(MeterDevice.checkCloudId(cloudId)).orElseThrow(() -> new NotFound("no device " + cloudId));
        java.time.Instant at = clock.instant();
        MeterPoller.Outcome o;
        try {
            o = poller.pollNow(d).get(nowTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new UpstreamFailed(504, "device " + cloudId + " did not answer in time");
        } catch (ExecutionException e) {
            throw new UpstreamFailed(502, "device " + cloudId + " could not be polled");
        }
        return switch (o.state()) {
            case OK -> new MeterReading(cloudId, at, o.values()).toJsonLine();
            case UNREACHABLE -> throw new UpstreamFailed(504, "device " + cloudId + " is unreachable: " + o.error());
            case BAD_CREDENTIALS -> throw new UpstreamFailed(502, "device " + cloudId + " refused its credential: " + o.error());
            default -> throw new UpstreamFailed(502, "device " + cloudId + " answered something that does not decode: " + o.error());
        };
    }

    private MeterDevice device(String cloudId, JsonNode n, MeterDevice existing) {
        MeterDevice.Api api = MeterDevice.Api.of(text(n, "api"));
        String endpoint = text(n, "endpoint");
        if (endpoint == null) {
            throw new IllegalArgumentException("endpoint is required: the gateway's base URL, e.g. http://192.168.1.20");
        }
        try {
            URI u = URI.create(endpoint);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("endpoint must be an http or https URL");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint must be an http or https URL");
        }
        String email = text(n, "email");
        if (api == MeterDevice.Api.EAGLE100 && email == null) {
            throw new IllegalArgumentException("email is required for eagle100 (the User header)");
        }
        String credential = text(n, "credential");
        if (credential == null) {
            credential = text(n, api == MeterDevice.Api.EAGLE100 ? "password" : "installCode");
        }
        byte[] sealed;
        if (credential != null) {
            sealed = credentials.seal(cloudId, credential);
        } else if (existing != null) {
            sealed = existing.sealedCredential();
        } else {
            throw new IllegalArgumentException("credential is required (" + (api == MeterDevice.Api.EAGLE100 ? "the password" : "the install code") + ")");
        }
        JsonNode enabled = n.get("enabled");
        if (enabled != null && !enabled.isBoolean()) {
            throw new IllegalArgumentException("enabled must be true or false");
        }
        return new MeterDevice(cloudId, email, api, endpoint, sealed, enabled == null || enabled.booleanValue(), clock.instant().toString());
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("the body must be a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's message quotes the input, which may hold the credential: say where, not what
            var at = e.getLocation();
            throw new IllegalArgumentException("the body is not JSON" + (at == null ? "" : " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        String s = v.asText();
        return s.isEmpty() ? null : s;
    }
}
