package dev.landfall.common;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer thread that dies (as the backfill timer and the FTP poller did when one request exhausted the heap) makes
 * liveness DOWN, so the pod is restarted, instead of leaving routes "Started" that do nothing.
 */
class ConsumerLivenessRouteTest {

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static int managementPort;

    /** The app's poll strategy, until armed: then the next poll dies of an Error, which cancels the poller's task for good. */
    static final class DyingPolls implements PollingConsumerPollStrategy {
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger polls = new AtomicInteger();
        PollHealth delegate;

        @Override
        public boolean begin(Consumer consumer, Endpoint endpoint) {
            delegate.begin(consumer, endpoint);
            polls.incrementAndGet();
            if (armed.get()) {
                throw new OutOfMemoryError("simulated: Java heap space");
            }
            return true;
        }

        @Override
        public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
            delegate.commit(consumer, endpoint, polledMessages);
        }

        @Override
        public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception e) {
            return delegate.rollback(consumer, endpoint, retryCounter, e);
        }
    }

    static final DyingPolls dying = new DyingPolls();

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        managementPort = FreePorts.next();
        props.put("camel.management.port", Integer.toString(managementPort));
        props.put("landfall.health.stall-after-ms", "1500");
        app = LandfallApp.start(props, Map.of("dyingPolls", dying));
        dying.delegate = app.bean("pollHealth", PollHealth.class);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    static HttpResponse<String> live() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/observe/health/live")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPollerWhoseTaskDiedOfAnErrorMakesLivenessDown() throws Exception {
        Map<String, String> p = servers.appProperties();
        // a lambda, not a RouteBuilder subclass: the route conventions test scans test classes for route builders
        RouteBuilder.addRoutes(app.context(), rb -> rb.from("ftp://" + p.get("landfall.ftp.host") + ":" + p.get("landfall.ftp.port") + "/stall?username="
                        + p.get("landfall.ftp.user") + "&password=RAW(" + p.get("landfall.ftp.password")
                        + ")&passiveMode=true&noop=true&delay=200&initialDelay=0&pollStrategy=#dyingPolls")
                        .routeId("stall-test-poll").to("log:stall-test"));
        app.context().getRouteController().startRoute("stall-test-poll");
        await().atMost(Duration.ofSeconds(20)).until(() -> dying.polls.get() >= 3);
        // the other test may have made liveness DOWN already: this poller is not named while it polls
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(live().body()).as("polling normally").doesNotContain("stall-test-poll"));
        dying.armed.set(true);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> r = live();
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("stall-test-poll");
        });
        assertThat(app.context().getRouteController().getRouteStatus("stall-test-poll").isStarted())
                .as("the route still says Started").isTrue();
        app.context().getRouteController().stopRoute("stall-test-poll");
        app.context().removeRoute("stall-test-poll");
    }

    @Test
    void aThreadThatDiedOfAnUncaughtErrorMakesLivenessDown() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> !live().body().contains("backfill-timer"));
        Thread t = app.context().getExecutorServiceManager().newThread("backfill-timer", () -> {
            throw new OutOfMemoryError("simulated: Java heap space");
        });
        t.start();
        t.join();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> r = live();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("backfill-timer").contains("OutOfMemoryError");
        });
    }
}
