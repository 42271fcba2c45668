package dev.landfall.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/**
 * Runs one app process at a time and SIGKILLs it at random moments or in the middle of its work, restarting it each
 * time: the skeleton of a crash-consistency test (start, feed, kill, restart, and at the end compare what landed).
 */
public final class CrashLoop implements AutoCloseable {

    /** Starts generation {@code n} of the app and returns it once it is healthy. */
    @FunctionalInterface
    public interface Starter {
        AppProcess start(int generation) throws Exception;
    }

    /** Whether the app is in the middle of the work a kill should interrupt (e.g. a route has an exchange in flight). */
    @FunctionalInterface
    public interface Probe {
        boolean busy(AppProcess app) throws Exception;
    }

    /** A route of the app has an exchange in flight. */
    public static Probe inflight(String routeId) {
        return app -> app.routeNumber(routeId, "ExchangesInflight") > 0;
    }

    private final Starter starter;
    private final Random random;
    private final List<String> kills = new ArrayList<>();
    private int generation;
    private AppProcess app;

    public CrashLoop(Starter starter, Random random) {
        this.starter = starter;
        this.random = random;
    }

    /** Starts the first generation. */
    public AppProcess start() throws Exception {
        app = starter.start(generation++);
        return app;
    }

    public AppProcess app() {
        return app;
    }

    /** Kills the app after a random delay below {@code maxDelay}, then restarts it. */
    public AppProcess killAfterRandomDelay(Duration maxDelay) throws Exception {
        Duration delay = Duration.ofMillis(random.nextLong(Math.max(1, maxDelay.toMillis())));
        pause(delay);
        return killAndRestart("after " + delay.toMillis() + " ms");
    }

    /**
     * Kills the app once {@code probe} sees it busy, after a further random delay below {@code jitter} so kills land
     * at different points of the work; if it never looks busy within {@code maxWait}, kills it anyway. Then restarts it.
     */
    public AppProcess killWhenBusy(Probe probe, Duration maxWait, Duration jitter) throws Exception {
        long deadline = System.nanoTime() + maxWait.toNanos();
        AtomicBoolean seen = new AtomicBoolean();
        await("busy or " + maxWait).atMost(maxWait.plusSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    seen.set(busy(probe));
                    return seen.get() || System.nanoTime() > deadline;
                });
        Duration extra = Duration.ofMillis(random.nextLong(Math.max(1, jitter.toMillis())));
        pause(extra);
        return killAndRestart(seen.get() ? "busy + " + extra.toMillis() + " ms" : "never seen busy in " + maxWait);
    }

    /** Kills the app now and starts the next generation. */
    public AppProcess killAndRestart(String moment) throws Exception {
        app.kill9();
        kills.add(app.name() + " killed " + moment);
        app = starter.start(generation++);
        return app;
    }

    /** One line per kill: which process, and when it was killed. */
    public List<String> kills() {
        return List.copyOf(kills);
    }

    private boolean busy(Probe probe) throws Exception {
        if (!app.isAlive()) {
            throw new IllegalStateException(app + " died on its own");
        }
        try {
            return probe.busy(app);
        } catch (IOException e) {
            // the management server of a loaded JVM may time out once; the next poll tries again
            return false;
        }
    }

    private static void pause(Duration d) {
        if (!d.isZero()) {
            await().pollDelay(d).atMost(d.plusSeconds(5)).until(() -> true);
        }
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
    }
}
