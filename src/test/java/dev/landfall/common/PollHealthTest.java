package dev.landfall.common;

import java.nio.file.Path;
import java.time.Clock;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The readiness of polling edges, on a real file consumer (the FTP pollers' base class). */
class PollHealthTest {

    @TempDir
    Path dir;

    CamelContext camel;
    Endpoint endpoint;
    Consumer consumer;
    PollHealth health;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        // a long delay: the test drives begin/rollback/commit itself
        endpoint = camel.getEndpoint("file:" + dir + "?initialDelay=600000&delay=600000");
        consumer = endpoint.createConsumer(exchange -> { });
        consumer.start();
        health = new PollHealth(Clock.systemUTC(), new OutageLog(Clock.systemUTC(), 60_000));
        health.setCamelContext(camel);
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    HealthCheck.State state() {
        return health.call().getState();
    }

    @Test
    void aFailedPollIsDownUntilAPollWorks() {
        assertThat(state()).isEqualTo(HealthCheck.State.UP);
        health.begin(consumer, endpoint);
        health.rollback(consumer, endpoint, 0, new IllegalStateException("Connection refused"));
        assertThat(state()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(health.call().getMessage()).hasValueSatisfying(m -> assertThat(m).contains("Connection refused"));

        health.begin(consumer, endpoint);
        health.accept(null);
        health.commit(consumer, endpoint, 1);
        assertThat(state()).isEqualTo(HealthCheck.State.UP);
    }

    /**
     * A replica that loses a {@code master:} route's leadership in the middle of a poll (the rebalancer moved it) has its
     * poller stopped: that poll's failure is the new leader's to report, not a readiness failure here forever. ReplicasIT
     * caught a follower that never became ready for this.
     */
    @Test
    void aPollerStoppedSinceItsFailureIsNoLongerDown() throws Exception {
        health.begin(consumer, endpoint);
        health.rollback(consumer, endpoint, 0, new IllegalStateException("Consumer stopped"));
        assertThat(state()).isEqualTo(HealthCheck.State.DOWN);

        consumer.stop();
        assertThat(state()).isEqualTo(HealthCheck.State.UP);
    }
}
