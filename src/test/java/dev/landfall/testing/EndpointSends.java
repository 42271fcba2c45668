package dev.landfall.testing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Counts the exchanges sent to one endpoint (e.g. {@code direct://page-views-ingest}) that match a filter: how often a
 * pipeline step really ran. NotifyBuilder's route filters also count split sub-exchanges that never reached the route.
 */
public final class EndpointSends extends EventNotifierSupport implements AutoCloseable {

    private final CamelContext context;
    private final String endpointUri;
    private final Predicate<Exchange> filter;
    private final AtomicInteger count = new AtomicInteger();

    private EndpointSends(CamelContext context, String endpointUri, Predicate<Exchange> filter) {
        this.context = context;
        this.endpointUri = endpointUri;
        this.filter = filter;
    }

    public static EndpointSends to(CamelContext context, String endpointUri, Predicate<Exchange> filter) {
        EndpointSends sends = new EndpointSends(context, endpointUri, filter);
        context.getManagementStrategy().addEventNotifier(sends);
        sends.start();
        return sends;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeSentEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        CamelEvent.ExchangeSentEvent sent = (CamelEvent.ExchangeSentEvent) event;
        if (endpointUri.equals(sent.getEndpoint().getEndpointUri()) && filter.test(sent.getExchange())) {
            count.incrementAndGet();
        }
    }

    public int count() {
        return count.get();
    }

    @Override
    public void close() {
        context.getManagementStrategy().removeEventNotifier(this);
        stop();
    }
}
