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

        /** The JSON body of a refusal: {@code {"message", "code", "reason"}}, API Gateway's shape plus what it lacks. */
        public String body() {
            return body(message, code, reason);
        }

        static String body(String message, String code, String reason) {
            StringBuilder b = new StringBuilder("{\"message\":").append(AccessPolicies.json(message));
            if (code != null) {
                b.append(",\"code\":").append(AccessPolicies.json(code));
            }
            if (reason != null) {
                b.append(",\"reason\":").append(AccessPolicies.json(reason));
            }
            return b.append('}').toString();
        }

        /** The answer when the store cannot be read. */
        static Decision unavailable() {
            return new Decision(503, "Service Unavailable", "access control could not reach its store", null,
                    Map.of("Retry-After", "5"), null);
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

    private record Cached<T>(T value, Instant refreshAt, Instant until, java.util.concurrent.atomic.AtomicBoolean refreshing) {
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
        return cached(keyCache, digest, now, () -> store.findKey(digest));
    }

    private UsagePlan plan(String name, Instant now) {
        return cached(planCache, name, now, () -> store.findPlan(name));
    }

    /**
     * A value read from the store at most {@code cacheTtl} ago. Past half its time one request reads it again while the
     * others keep the value they have, so that no request but that one waits for the store (and a flood of requests
     * does not read it once each); past its time it is never served. An unknown key is remembered too, so that a flood
     * of made-up (well-formed) keys costs one read each per TTL.
     */
    private <T> T cached(Map<String, Cached<T>> cache, String name, Instant now, java.util.function.Supplier<T> read) {
        Cached<T> c = cache.get(name);
        if (c != null && now.isBefore(c.until())) {
            if (!now.isBefore(c.refreshAt()) && c.refreshing().compareAndSet(false, true)) {
                try {
                    return load(cache, name, now, read).value();
                } catch (RuntimeException e) {
                    // the others keep the value until its end; the next request after that reads it itself
                    return c.value();
                }
            }
            return c.value();
        }
        return load(cache, name, now, read).value();
    }

    private <T> Cached<T> load(Map<String, Cached<T>> cache, String name, Instant now, java.util.function.Supplier<T> read) {
        Cached<T> c = new Cached<>(read.get(), now.plus(cacheTtl.dividedBy(2)), now.plus(cacheTtl),
                new java.util.concurrent.atomic.AtomicBoolean());
        if (cache.size() > 100_000) {
            cache.clear();
        }
        cache.put(name, c);
        return c;
    }

    private static Decision unauthorized() {
        return new Decision(401, "Unauthorized", null, null, Map.of("WWW-Authenticate", WWW_AUTHENTICATE), null);
    }

    private static Decision forbidden(KeyRecord key, String why) {
        return new Decision(403, "Forbidden", why, null, Map.of(), key);
    }

    /** What a refill from the store gave: {@code granted} units, or none until {@code emptyUntilMicros}. */
    private record Grant(long granted, long emptyUntilMicros) {
    }

    /**
     * Units (rate tokens or quota requests) this replica holds of one key's shared counter. Requests take them under a
     * short lock; the store is asked for the next block by one thread at a time, outside the lock, and already when a
     * quarter of a block is left, so the others keep taking from what is left instead of waiting for the round trip.
     */
    private static final class Reserve {
        private final java.util.concurrent.atomic.AtomicLong left = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicBoolean refilling = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile long emptyUntilMicros;

        /** Takes one unit; false while the counter is exhausted (then {@link #emptyUntil} says until when). */
        boolean take(long nowMicros, long block, java.util.function.LongFunction<Grant> refill) {
            // the common case, without a lock: a unit is left
            for (long v = left.get(); v > 0; v = left.get()) {
                if (left.compareAndSet(v, v - 1)) {
                    if (v - 1 < block / 4 && nowMicros >= emptyUntilMicros && refilling.compareAndSet(false, true)) {
                        // this request pays the round trip; the others go on taking what is left meanwhile
                        refill(block, refill);
                    }
                    return true;
                }
            }
            // none left: one thread asks the store, the others wait for its answer
            synchronized (this) {
                while (true) {
                    long v = left.get();
                    if (v > 0) {
                        if (left.compareAndSet(v, v - 1)) {
                            return true;
                        }
                        continue;
                    }
                    if (nowMicros < emptyUntilMicros) {
                        return false;
                    }
                    if (refilling.compareAndSet(false, true)) {
                        refill(block, refill);
                        if (left.get() <= 0) {
                            // the store granted nothing: refused until emptyUntil
                            return false;
                        }
                        continue;
                    }
                    try {
                        wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
        }

        private void refill(long block, java.util.function.LongFunction<Grant> refill) {
            Grant g = null;
            try {
                g = refill.apply(block);
            } finally {
                if (g != null) {
                    emptyUntilMicros = g.granted() > 0 ? 0 : g.emptyUntilMicros();
                    left.addAndGet(g.granted());
                }
                refilling.set(false);
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        long left() {
            return Math.max(0, left.get());
        }

        long emptyUntil() {
            return emptyUntilMicros;
        }
    }

    /** One key's rate and quota as this replica holds them; the header texts of its plan made once. */
    private final class Allowance {
        private final Reserve rate = new Reserve();
        private volatile QuotaWindow quota;
        private volatile PolicyText policyText;

        /** A plan's RateLimit-Policy header and its burst window in seconds. */
        private record PolicyText(UsagePlan plan, String header, long rateWindowSeconds) {
        }

        /** One quota window's units; replaced when the window ends. */
        private record QuotaWindow(Instant start, Instant end, long endMicros, Reserve units, long[] used) {
        }

        Decision take(KeyRecord key, UsagePlan plan, Instant now) {
            long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
            String policy = policy(plan);
            if (plan.ratePerSecond() > 0) {
                long interval = Gcra.interval(plan.ratePerSecond());
                long block = Math.max(1, Math.min(plan.burst(), (long) Math.floor(plan.burst() * blockFraction)));
                boolean taken = rate.take(nowMicros, block, n -> {
                    Gcra.Take t = store.takeRate(key.id(), nowMicros, (int) n, interval, plan.burst());
                    return new Grant(t.granted(), nowMicros + t.retryAfterMicros());
                });
                if (!taken) {
                    long retry = Math.max(1, (Math.max(0, rate.emptyUntil() - nowMicros) + 999_999) / 1_000_000);
                    Map<String, String> headers = new LinkedHashMap<>();
                    headers.put("Retry-After", Long.toString(retry));
                    headers.put("RateLimit-Policy", policy);
                    headers.put("RateLimit", "\"burst\";r=0;t=" + retry);
                    return new Decision(429, "Too Many Requests", null, "THROTTLED", headers, key);
                }
            }
            String quotaState = null;
            if (plan.quota() > 0) {
                QuotaWindow w = quota;
                if (w == null || nowMicros >= w.endMicros() || now.isBefore(w.start())) {
                    synchronized (this) {
                        w = quota;
                        if (w == null || nowMicros >= w.endMicros() || now.isBefore(w.start())) {
                            Instant start = plan.period().start(now);
                            Instant end = plan.period().end(now);
                            w = new QuotaWindow(start, end, end.getEpochSecond() * 1_000_000, new Reserve(), new long[1]);
                            quota = w;
                        }
                    }
                }
                QuotaWindow window = w;
                long block = Math.max(1, Math.min(plan.quota(), (long) Math.floor(plan.quota() * blockFraction)));
                boolean taken = window.units().take(nowMicros, block, n -> {
                    AccessStore.QuotaTake t = store.takeQuota(key.id(), window.start(), window.end(), plan.quota(), n);
                    window.used()[0] = t.used();
                    // exhausted: asked again after a cache TTL (another replica may give units back... or the window ends)
                    long retryAt = Math.min(window.endMicros(), nowMicros + cacheTtl.toNanos() / 1_000);
                    return new Grant(t.granted(), retryAt);
                });
                long reset = Math.max(1, (window.endMicros() - nowMicros + 999_999) / 1_000_000);
                if (!taken) {
                    Map<String, String> headers = new LinkedHashMap<>();
                    headers.put("Retry-After", Long.toString(reset));
                    headers.put("RateLimit-Policy", policy);
                    headers.put("RateLimit", "\"quota\";r=0;t=" + reset);
                    return new Decision(429, "Too Many Requests", null, "QUOTA_EXCEEDED", headers, key);
                }
                long remaining = Math.max(0, plan.quota() - window.used()[0] + window.units().left());
                quotaState = "\"quota\";r=" + remaining + ";t=" + reset;
            }
            if (policy.isEmpty()) {
                return new Decision(0, null, null, null, Map.of(), key);
            }
            String state = plan.ratePerSecond() > 0
                    ? "\"burst\";r=" + rate.left() + ";t=" + policyText.rateWindowSeconds() + (quotaState == null ? "" : ", " + quotaState)
                    : quotaState;
            return new Decision(0, null, null, null, Map.of("RateLimit-Policy", policy, "RateLimit", state), key);
        }

        /** The plan's RateLimit-Policy header, made again only when the plan changes. */
        private String policy(UsagePlan current) {
            PolicyText t = policyText;
            if (t == null || t.plan() != current) {
                StringBuilder p = new StringBuilder();
                long rateWindow = current.ratePerSecond() > 0 ? Math.max(1, (long) Math.ceil(current.burst() / current.ratePerSecond())) : 0;
                if (current.ratePerSecond() > 0) {
                    p.append("\"burst\";q=").append(current.burst()).append(";w=").append(rateWindow);
                }
                if (current.quota() > 0) {
                    // months differ in length: the policy names a 30-day window for them, RateLimit's t the real reset
                    long windowSeconds = switch (current.period()) {
                        case DAY -> 86_400L;
                        case WEEK -> 7 * 86_400L;
                        case MONTH -> 30 * 86_400L;
                    };
                    p.append(p.length() > 0 ? ", " : "").append("\"quota\";q=").append(current.quota()).append(";w=").append(windowSeconds);
                }
                t = new PolicyText(current, p.toString(), rateWindow);
                policyText = t;
            }
            return t.header();
        }
    }


}
