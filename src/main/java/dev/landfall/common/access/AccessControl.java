package dev.landfall.common.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.landfall.common.access.AccessStore.KeyRecord;
import dev.landfall.common.access.AccessStore.Role;

/**
 * Decides each keyed request: the key (format and checksum first, then its digest), its role, its plan's APIs, its
 * rate and its quota. Shared state lives in {@link AccessStore}; a replica keeps what it read of a key and its plan for
 * {@code cacheTtl} (so a revoked key or a changed plan takes effect within that time) and takes rate tokens and quota
 * units from the store in small blocks, so that most requests need no round trip. A block is spent by this replica
 * alone; what is left of it when the replica stops is lost, so a quota can end slightly below its limit, never above it.
 */
public final class AccessControl {

    /** The answer for one request: {@code status} 0 means allowed. Headers are set on every keyed answer. */
    public record Decision(int status, String message, String reason, String code, Map<String, String> headers, KeyRecord key) {

        public boolean allowed() {
            return status == 0;
        }
    }

    /** What an endpoint needs: an API name (a plan must include it), and whether only admin keys may call it. */
    public record Requirement(String api, boolean admin) {
    }

    public static final String HEADER = "x-api-key";
    static final String WWW_AUTHENTICATE = "ApiKey realm=\"landfall\", header=\"" + HEADER + "\"";

    private final AccessStore store;
    private final ApiKeys keys;
    private final Clock clock;
    private final Duration cacheTtl;
    private final double blockFraction;
    private final Map<String, Cached<KeyRecord>> keyCache = new ConcurrentHashMap<>();
    private final Map<String, Cached<UsagePlan>> planCache = new ConcurrentHashMap<>();
    private final Map<String, Allowance> allowances = new ConcurrentHashMap<>();

    private record Cached<T>(T value, Instant until) {
    }

    /**
     * @param blockFraction the share of a plan's burst (rate) or quota that one replica takes from the store at a time
     */
    public AccessControl(AccessStore store, ApiKeys keys, Clock clock, Duration cacheTtl, double blockFraction) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
        this.cacheTtl = cacheTtl;
        this.blockFraction = blockFraction;
    }

    public Decision check(String presented, Requirement need) {
        if (presented == null || !ApiKeys.wellFormed(presented)) {
            return unauthorized();
        }
        Instant now = clock.instant();
        KeyRecord key = key(keys.digest(presented), now);
        if (key == null || !key.usable(now)) {
            return unauthorized();
        }
        if (need.admin() && key.role() != Role.ADMIN) {
            return forbidden(key, "this endpoint needs an admin key");
        }
        UsagePlan plan = key.plan() == null ? null : plan(key.plan(), now);
        if (key.plan() != null && plan == null) {
            return forbidden(key, "the key's plan " + key.plan() + " does not exist");
        }
        if (key.role() != Role.ADMIN && (plan == null || !plan.allows(need.api()))) {
            return forbidden(key, "the key's plan does not include the " + need.api() + " API");
        }
        if (plan == null) {
            return new Decision(0, null, null, null, Map.of(), key);
        }
        return allowances.computeIfAbsent(key.id(), id -> new Allowance()).take(key, plan, now);
    }

    /** Forgets what this replica cached of keys and plans (after an admin change on this replica). */
    public void forget() {
        keyCache.clear();
        planCache.clear();
    }

    private KeyRecord key(String digest, Instant now) {
        Cached<KeyRecord> c = keyCache.get(digest);
        if (c == null || !now.isBefore(c.until())) {
            // an unknown key is remembered too, so that a flood of made-up (but well-formed) keys costs one read each per TTL
            c = new Cached<>(store.findKey(digest), now.plus(cacheTtl));
            if (keyCache.size() > 100_000) {
                keyCache.clear();
            }
            keyCache.put(digest, c);
        }
        return c.value();
    }

    private UsagePlan plan(String name, Instant now) {
        Cached<UsagePlan> c = planCache.get(name);
        if (c == null || !now.isBefore(c.until())) {
            c = new Cached<>(store.findPlan(name), now.plus(cacheTtl));
            planCache.put(name, c);
        }
        return c.value();
    }

    private static Decision unauthorized() {
        return new Decision(401, "Unauthorized", null, null, Map.of("WWW-Authenticate", WWW_AUTHENTICATE), null);
    }

    private static Decision forbidden(KeyRecord key, String why) {
        return new Decision(403, "Forbidden", why, null, Map.of(), key);
    }

    /** One key's rate tokens and quota units held by this replica. */
    private final class Allowance {
        private int tokens;
        private long throttledUntilMicros;
        private long quotaLeft;
        private Instant quotaWindow;
        private long quotaUsed;
        private Instant quotaExhaustedUntil;

        synchronized Decision take(KeyRecord key, UsagePlan plan, Instant now) {
            long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
            Map<String, String> headers = new LinkedHashMap<>();
            StringBuilder policy = new StringBuilder();
            StringBuilder state = new StringBuilder();
            long interval = 0;
            if (plan.ratePerSecond() > 0) {
                interval = Gcra.interval(plan.ratePerSecond());
                long window = Math.max(1, (long) Math.ceil(plan.burst() / plan.ratePerSecond()));
                policy.append("\"burst\";q=").append(plan.burst()).append(";w=").append(window);
                if (tokens == 0) {
                    if (nowMicros < throttledUntilMicros) {
                        return throttled(headers, policy, plan, nowMicros);
                    }
                    int block = (int) Math.max(1, Math.min(plan.burst(), Math.floor(plan.burst() * blockFraction)));
                    Gcra.Take take = store.takeRate(key.id(), nowMicros, block, interval, plan.burst());
                    tokens = take.granted();
                    if (tokens == 0) {
                        throttledUntilMicros = nowMicros + take.retryAfterMicros();
                        return throttled(headers, policy, plan, nowMicros);
                    }
                }
            }
            if (plan.quota() > 0) {
                Instant windowStart = plan.period().start(now);
                Instant windowEnd = plan.period().end(now);
                if (!windowStart.equals(quotaWindow)) {
                    quotaWindow = windowStart;
                    quotaLeft = 0;
                    quotaUsed = 0;
                    quotaExhaustedUntil = null;
                }
                if (policy.length() > 0) {
                    policy.append(", ");
                }
                long windowSeconds = Duration.between(windowStart, windowEnd).getSeconds();
                policy.append("\"quota\";q=").append(plan.quota()).append(";w=").append(windowSeconds);
                if (quotaLeft == 0) {
                    if (quotaExhaustedUntil == null || !now.isBefore(quotaExhaustedUntil)) {
                        long block = Math.max(1, Math.min(plan.quota(), (long) Math.floor(plan.quota() * blockFraction)));
                        AccessStore.QuotaTake take = store.takeQuota(key.id(), windowStart, windowEnd, plan.quota(), block);
                        quotaLeft = take.granted();
                        quotaUsed = take.used();
                        // exhausted: checked again after a cache TTL (another replica may hold units) or the window's end
                        quotaExhaustedUntil = quotaLeft == 0 ? min(windowEnd, now.plus(cacheTtl)) : null;
                    }
                    if (quotaLeft == 0) {
                        long retry = Math.max(1, Duration.between(now, windowEnd).toSeconds());
                        headers.put("Retry-After", Long.toString(retry));
                        headers.put("RateLimit-Policy", policy.toString());
                        headers.put("RateLimit", "\"quota\";r=0;t=" + retry);
                        return new Decision(429, "Too Many Requests", null, "QUOTA_EXCEEDED", headers, key);
                    }
                }
                quotaLeft--;
                long remaining = Math.max(0, plan.quota() - quotaUsed + quotaLeft);
                state.append("\"quota\";r=").append(remaining).append(";t=").append(Math.max(1, Duration.between(now, windowEnd).toSeconds()));
            }
            if (plan.ratePerSecond() > 0) {
                tokens--;
                String burst = "\"burst\";r=" + tokens + ";t=" + Math.max(1, (long) Math.ceil(interval / 1e6));
                state.insert(0, state.length() > 0 ? burst + ", " : burst);
            }
            if (policy.length() > 0) {
                headers.put("RateLimit-Policy", policy.toString());
                headers.put("RateLimit", state.toString());
            }
            return new Decision(0, null, null, null, headers, key);
        }

        private Decision throttled(Map<String, String> headers, StringBuilder policy, UsagePlan plan, long nowMicros) {
            long waitMicros = Math.max(0, throttledUntilMicros - nowMicros);
            long retry = Math.max(1, (waitMicros + 999_999) / 1_000_000);
            headers.put("Retry-After", Long.toString(retry));
            headers.put("RateLimit-Policy", policy.toString());
            headers.put("RateLimit", "\"burst\";r=0;t=" + retry);
            return new Decision(429, "Too Many Requests", null, "THROTTLED", headers, null);
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
