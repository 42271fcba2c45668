package dev.landfall.meters;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import dev.landfall.common.DeadLetter;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.PipelineMetrics;

/**
 * Where the poller's outcomes go: readings to the spool, undecodable answers to the meters dead letter (with the
 * device's body, never a credential), and one log line per change of a device's state. The poller calls it on its
 * event loops, so a dead letter (an S3 write and a DynamoDB claim) is written on its own executor, never on a loop.
 */
public final class MeterSink implements MeterPoller.Sink {

    public static final String PIPELINE = "meters";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MeterSink.class);

    private final MeterSpool spool;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;
    private final Executor deadLetterWriter;

    public MeterSink(MeterSpool spool, DeadLetterStore deadLetters, PipelineMetrics metrics, Executor deadLetterWriter) {
        this.spool = spool;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.deadLetterWriter = deadLetterWriter;
    }

    @Override
    public void reading(MeterReading r) {
        spool.append(r.cloudId(), r.polledAt(), r.toJsonLine());
        metrics.landed(PIPELINE, 1);
    }

    @Override
    public void badResponse(MeterDevice d, String body, String reason) {
        try {
            deadLetterWriter.execute(() -> {
                try {
                    deadLetters.write(DeadLetter.of(PIPELINE, "bad-response", reason, "device:" + d.cloudId(), null, body,
                            Map.of("cloudId", d.cloudId(), "api", d.api().id(), "endpoint", d.endpoint())));
                    metrics.deadLettered(PIPELINE, 1);
                } catch (RuntimeException e) {
                    LOG.warn("meters: the bad response of {} could not be dead-lettered: {}", d.cloudId(), e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("meters: the bad response of {} was not dead-lettered (the writer is stopping or full)", d.cloudId());
        }
    }

    @Override
    public void stateChanged(MeterDevice d, MeterStatus.Change change, String error) {
        String was = change.was() == null ? "new" : change.was().name();
        if (change.now() == DeviceState.OK) {
            LOG.info("meters: device {} {} -> OK", d.cloudId(), was);
        } else {
            LOG.warn("meters: device {} {} -> {} ({})", d.cloudId(), was, change.now(), error);
        }
    }
}
