package dev.landfall.common;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every meter Landfall registers carries a description, its Prometheus HELP. */
class PipelineMetricsTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PipelineMetrics metrics = new PipelineMetrics(() -> registry);

    @Test
    void recordCountersCounterAndGaugesAreDescribed() {
        metrics.landed("facility-logs", 3);
        metrics.increment("landfall.test.calls", "Calls made in this test", 2);
        AtomicLong value = new AtomicLong(7);
        metrics.gauge("landfall.test.level", "Level in this test", "facility-logs", value);
        metrics.gauge("landfall.test.level", "Level in this test", "facility-logs", new AtomicLong(9));

        assertThat(registry.get("landfall.records").counter().getId().getDescription()).isEqualTo(PipelineMetrics.RECORDS_HELP);
        assertThat(registry.get("landfall.test.calls").counter().getId().getDescription()).isEqualTo("Calls made in this test");
        assertThat(registry.get("landfall.test.level").gauge().getId().getDescription()).isEqualTo("Level in this test");
        // the first registration stays
        assertThat(registry.get("landfall.test.level").gauge().value()).isEqualTo(7);
        assertThat(metrics.count("facility-logs", "landed")).isEqualTo(3);
    }

    @Test
    void aMeterWithoutDescriptionIsRefused() {
        assertThatThrownBy(() -> metrics.increment("landfall.test.undescribed", " ", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("landfall.test.undescribed");
        assertThatThrownBy(() -> metrics.gauge("landfall.test.undescribed", null, "p", new AtomicLong()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
