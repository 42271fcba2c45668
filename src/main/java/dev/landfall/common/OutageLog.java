package dev.landfall.common;

import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Logs a failing dependency (s3, dynamodb, sqs, ftp:&lt;route&gt;) as one WARN line without stack trace at most once per
 * interval, counting the failures in between, and one INFO line when it answers again; as a consumer's
 * {@code exceptionHandler} it keeps quiet about failures it already reported and logs any other like Camel does.
 */
public final class OutageLog implements ExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(OutageLog.class);
    private static final int MAX_MESSAGE = 300;

    /** One failing dependency: since when, when it was last logged, failures in all and since that line. */
    private static final class Outage {
        final long since;
        long loggedAt;
        long failures;
        long unlogged;

        Outage(long since) {
            this.since = since;
        }
    }

    private final Clock clock;
    private final long intervalMs;
    private final Map<String, Outage> failing = new ConcurrentHashMap<>();
    // the success paths check only this flag while nothing fails
    private volatile boolean anyFailing;
    // failures already told (and those that only follow from them), so that no consumer logs them again
    private final Set<Throwable> reported = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    public OutageLog(Clock clock, long intervalMs) {
        this.clock = clock;
        this.intervalMs = intervalMs;
    }

    /** Records a failure of a dependency: what was being done and the exception; logs it unless logged within the interval. */
    public void failed(String dependency, String what, Throwable cause) {
        if (cause != null) {
            reported.add(cause);
        }
        long now = clock.millis();
        String line;
        synchronized (this) {
            Outage o = failing.computeIfAbsent(dependency, d -> new Outage(now));
            anyFailing = true;
            o.failures++;
            if (o.failures > 1 && now - o.loggedAt < intervalMs) {
                o.unlogged++;
                return;
            }
            line = o.failures == 1 ? dependency + " failing: " + what + ": " + describe(cause)
                    : dependency + " still failing after " + (now - o.since) / 1000 + " s (" + o.unlogged + " more failures): "
                      + what + ": " + describe(cause);
            o.loggedAt = now;
            o.unlogged = 0;
        }
        LOG.warn(line);
    }

    /** Records that a dependency answered; logs one line if it was failing. */
    public void ok(String dependency) {
        if (!anyFailing) {
            return;
        }
        Outage o;
        synchronized (this) {
            o = failing.remove(dependency);
            anyFailing = !failing.isEmpty();
        }
        if (o != null) {
            LOG.info("{} back after {} s ({} failures)", dependency, (clock.millis() - o.since) / 1000, o.failures);
        }
    }

    /** Whether the dependency failed last time it was called. */
    public boolean isFailing(String dependency) {
        return anyFailing && failing.containsKey(dependency);
    }

    /** Whether this failure (or one it wraps) was reported here already. */
    public boolean reported(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (reported.contains(t)) {
                return true;
            }
        }
        return false;
    }

    /** Marks a failure that only follows from a reported one (e.g. the input of a dead letter that could not be written). */
    public void followsFromReported(Throwable t) {
        if (t != null) {
            reported.add(t);
        }
    }

    /** Exception class and message on one line, without URI credentials, cut to a few hundred characters. */
    static String describe(Throwable t) {
        if (t == null) {
            return "unknown failure";
        }
        String message = t.getMessage() == null ? "" : URISupport.sanitizeUri(t.getMessage()).replaceAll("\\s+", " ").trim();
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "...";
        }
        return t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        if (reported(exception)) {
            LOG.debug("{} (reported as an outage): {}", message, describe(exception));
            return;
        }
        // as Camel's LoggingExceptionHandler: a failure that is not an outage is shown in full
        String text = message != null ? message : "Caught exception";
        if (exchange != null) {
            LOG.warn("{} on exchange {}", text, exchange.getExchangeId(), exception);
        } else {
            LOG.warn(text, exception);
        }
    }

    /** An SDK interceptor for one client: every call that cannot reach the service is a failure, every answer an ok. */
    public ExecutionInterceptor sdkCalls(String dependency) {
        return new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                ok(dependency);
            }

            @Override
            public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
                Throwable e = context.exception();
                if (isUnavailable(e)) {
                    failed(dependency, String.valueOf(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)), e);
                } else {
                    // an answer (a failed condition, a missing key) shows that the service is there
                    ok(dependency);
                }
            }
        };
    }

    /** No answer, a server error, throttling or refused credentials: the service is not usable right now. */
    static boolean isUnavailable(Throwable e) {
        if (e instanceof AwsServiceException s) {
            int status = s.statusCode();
            return status >= 500 || status == 401 || status == 403 || s.isThrottlingException();
        }
        return e instanceof SdkClientException || e instanceof SocketTimeoutException;
    }
}
