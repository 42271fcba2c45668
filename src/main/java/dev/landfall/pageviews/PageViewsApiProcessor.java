package dev.landfall.pageviews;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * {@code GET /api/page-views/top} and {@code GET /api/page-views/<page>}: JSON answers, 400 with a message for bad
 * parameters, 503 when more calls are in progress than allowed or the answer misses its deadline, so the HTTP
 * workers these calls hold stay few and are soon given back.
 */
public final class PageViewsApiProcessor implements Processor {

    static final String PREFIX = "/api/page-views/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PageViewStats stats;
    private final Clock clock;
    private final Semaphore inFlight;

    public PageViewsApiProcessor(PageViewStats stats, Clock clock, int maxConcurrent) {
        this.stats = stats;
        this.clock = clock;
        this.inFlight = new Semaphore(maxConcurrent);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        msg.setHeader(Exchange.CONTENT_TYPE, "application/json");
        String path = msg.getHeader(Exchange.HTTP_URI, String.class);
        int q = path.indexOf('?');
        path = q < 0 ? path : path.substring(0, q);
        String encodedPage = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
        Object answer;
        try {
            PageViewQuery.Range range = PageViewQuery.range(msg.getHeader("from", String.class), msg.getHeader("to", String.class),
                    clock.millis() / 1000);
            String page = PageViewQuery.page(encodedPage);
            if ("top".equals(page)) {
                PageViewQuery.Range days = PageViewQuery.top(range);
                int limit = PageViewQuery.limit(msg.getHeader("limit", String.class));
                answer = admitted(() -> stats.top(days, limit));
            } else {
                PageViewStats.Granularity granularity = PageViewQuery.granularity(msg.getHeader("granularity", String.class));
                PageViewQuery.Range periods = PageViewQuery.counts(range, granularity);
                answer = admitted(() -> stats.counts(page, periods, granularity));
            }
        } catch (IllegalArgumentException e) {
            answer(msg, 400, Map.of("error", e.getMessage()));
            return;
        } catch (PageViewStats.Unavailable e) {
            msg.setHeader("Retry-After", "1");
            answer(msg, 503, Map.of("error", "page-view statistics unavailable: " + e.getMessage() + "; try again"));
            return;
        }
        answer(msg, 200, answer);
    }

    private Object admitted(java.util.function.Supplier<Object> work) {
        if (!inFlight.tryAcquire()) {
            throw new PageViewStats.Unavailable("too many calls in progress");
        }
        try {
            return work.get();
        } finally {
            inFlight.release();
        }
    }

    private static void answer(Message msg, int status, Object body) throws Exception {
        msg.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        msg.setBody(JSON.writeValueAsString(body));
    }
}
