package dev.landfall.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Keeps every log event of this JVM while attached, for tests that assert what an operator reads. */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<LogEvent> events = new CopyOnWriteArrayList<>();

    private LogCapture() {
        super("test-capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    public static LogCapture attach() {
        LogCapture capture = new LogCapture();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        capture.start();
        ctx.getConfiguration().getRootLogger().addAppender(capture, null, null);
        ctx.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        events.add(event.toImmutable());
    }

    public List<LogEvent> events() {
        return List.copyOf(events);
    }

    /** The formatted messages of the events of {@code logger} (a logger name or its prefix). */
    public List<String> messages(String logger) {
        return events.stream().filter(e -> e.getLoggerName().startsWith(logger))
                .map(e -> e.getMessage().getFormattedMessage()).toList();
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(getName());
        ctx.updateLoggers();
        stop();
    }
}
