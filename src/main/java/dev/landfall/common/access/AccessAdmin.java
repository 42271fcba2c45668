package dev.landfall.common.access;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landfall.common.access.AccessStore.KeyRecord;
import dev.landfall.common.access.AccessStore.Role;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API of keys and plans ({@code /admin/keys}, {@code /admin/plans}) and the CLI's {@code keys} command. A new
 * key is answered once, in the creation's body; the store and every other answer hold only its id and digest.
 */
public final class AccessAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(AccessAdmin.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A key just made: the key itself (shown once) and what is stored of it. */
    public record Created(String key, KeyRecord record) {
    }

    private final AccessStore store;
    private final ApiKeys keys;
    private final AccessControl access;
    private final Clock clock;

    public AccessAdmin(AccessStore store, ApiKeys keys, AccessControl access, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.access = access;
        this.clock = clock;
    }

    /** Makes and stores a key; the returned key is the only copy there will ever be. */
    public Created create(String name, Role role, String plan, Instant expires) {
        if (name == null || name.isBlank() || name.length() > 128) {
            throw new IllegalArgumentException("a key needs a name of 1 to 128 characters");
        }
        if (role == Role.READER && plan == null) {
            throw new IllegalArgumentException("a reader key needs a plan (the APIs it may call)");
        }
        if (plan != null && store.findPlan(plan) == null) {
            throw new IllegalArgumentException("no plan " + plan + ": create it first (PUT /admin/plans/" + plan + ")");
        }
        String key = keys.generate();
        String digest = keys.digest(key);
        KeyRecord record = new KeyRecord(digest, ApiKeys.id(digest), name, role, plan, clock.instant(), expires, false);
        store.createKey(record);
        LOG.info("API key {} created: name={} role={} plan={}", record.id(), name, role.label(), plan);
        return new Created(key, record);
    }

    // --- HTTP: every method reads the request from the exchange and answers JSON ---

    /** POST /admin/keys {"name", "role", "plan", "expires"}: 201 with the key, shown this once. */
    public void createKey(Exchange exchange) throws Exception {
        JsonNode body = body(exchange);
        Instant expires = null;
        if (body.hasNonNull("expires")) {
            try {
                expires = Instant.parse(body.get("expires").asText());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("expires must be an ISO-8601 instant, e.g. 2027-01-01T00:00:00Z");
            }
        }
        Created c = create(text(body, "name"), Role.of(body.hasNonNull("role") ? body.get("role").asText() : "reader"),
                body.hasNonNull("plan") ? body.get("plan").asText() : null, expires);
        Map<String, Object> answer = describe(c.record());
        answer.put("key", c.key());
        answer.put("note", "the key is shown this once; it is stored only as a digest");
        answer(exchange, 201, answer);
    }

    /** GET /admin/keys: every key without its secret. */
    public void listKeys(Exchange exchange) throws Exception {
        List<Map<String, Object>> list = new ArrayList<>();
        for (KeyRecord k : store.listKeys()) {
            list.add(describe(k));
        }
        answer(exchange, 200, Map.of("keys", list));
    }

    /** DELETE /admin/keys/{id}: revokes it (on every replica within landfall.access.cache-seconds). */
    public void revokeKey(Exchange exchange) throws Exception {
        String id = exchange.getMessage().getHeader("id", String.class);
        if (!store.revoke(id)) {
            answer(exchange, 404, Map.of("message", "no key " + id));
            return;
        }
        access.forget();
        LOG.info("API key {} revoked", id);
        answer(exchange, 200, Map.of("id", id, "revoked", true));
    }

    /** PUT /admin/plans/{name} {"rate", "burst", "quota", "period", "apis"}. */
    public void putPlan(Exchange exchange) throws Exception {
        String name = exchange.getMessage().getHeader("name", String.class);
        JsonNode body = body(exchange);
        Set<String> apis = new TreeSet<>();
        if (body.has("apis")) {
            if (!body.get("apis").isArray()) {
                throw new IllegalArgumentException("apis must be a list of API names, e.g. [\"page-views\"] or [\"*\"]");
            }
            body.get("apis").forEach(a -> apis.add(a.asText()));
        }
        UsagePlan.Period period = null;
        if (body.hasNonNull("period")) {
            try {
                period = UsagePlan.Period.valueOf(body.get("period").asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("period must be DAY, WEEK or MONTH");
            }
        }
        UsagePlan plan = new UsagePlan(name, number(body, "rate"), (int) number(body, "burst"), (long) number(body, "quota"), period, apis);
        store.putPlan(plan);
        access.forget();
        LOG.info("usage plan {} stored: rate={}/s burst={} quota={}/{} apis={}", name, plan.ratePerSecond(), plan.burst(),
                plan.quota(), plan.period(), plan.apis());
        answer(exchange, 200, describe(plan));
    }

    public void listPlans(Exchange exchange) throws Exception {
        List<Map<String, Object>> list = new ArrayList<>();
        for (UsagePlan p : store.listPlans()) {
            list.add(describe(p));
        }
        answer(exchange, 200, Map.of("plans", list));
    }

    public void deletePlan(Exchange exchange) throws Exception {
        String name = exchange.getMessage().getHeader("name", String.class);
        if (!store.deletePlan(name)) {
            answer(exchange, 404, Map.of("message", "no plan " + name));
            return;
        }
        access.forget();
        answer(exchange, 200, Map.of("name", name, "deleted", true));
    }

    static Map<String, Object> describe(KeyRecord k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("name", k.name());
        m.put("role", k.role().label());
        m.put("plan", k.plan());
        m.put("created", k.created().toString());
        m.put("expires", k.expires() == null ? null : k.expires().toString());
        m.put("revoked", k.revoked());
        return m;
    }

    static Map<String, Object> describe(UsagePlan p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("rate", p.ratePerSecond());
        m.put("burst", p.burst());
        m.put("quota", p.quota());
        m.put("period", p.period() == null ? null : p.period().name());
        m.put("apis", new TreeSet<>(p.apis()));
        return m;
    }

    private static JsonNode body(Exchange exchange) {
        String text = exchange.getMessage().getBody(String.class);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a JSON object is needed as the body");
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (!node.isObject()) {
                throw new IllegalArgumentException("the body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asText() : null;
    }

    private static double number(JsonNode body, String field) {
        if (!body.hasNonNull(field)) {
            return 0;
        }
        if (!body.get(field).isNumber()) {
            throw new IllegalArgumentException(field + " must be a number");
        }
        return body.get(field).asDouble();
    }

    private static void answer(Exchange exchange, int status, Object value) throws Exception {
        Message out = exchange.getMessage();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(JSON.writeValueAsBytes(value));
    }
}
