package dev.landfall.pageviews;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/** {@code GET /api/page-views/top} and {@code GET /api/page-views/<page>}: JSON answers, 400 with a message for bad parameters. */
public final class PageViewsApiProcessor implements Processor {

    static final String PREFIX = "/api/page-views/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PageViewStats stats;
    private final Clock clock;

    public PageViewsApiProcessor(PageViewStats stats, Clock clock) {
        this.stats = stats;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        msg.setHeader(Exchange.CONTENT_TYPE, "application/json");
        String path = msg.getHeader(Exchange.HTTP_URI, String.class);
        int q = path.indexOf('?');
        path = q < 0 ? path : path.substring(0, q);
        String page = path.startsWith(PREFIX) ? URLDecoder.decode(path.substring(PREFIX.length()), StandardCharsets.UTF_8) : "";
        try {
            PageViewQuery.Range range = PageViewQuery.range(msg.getHeader("from", String.class), msg.getHeader("to", String.class),
                    clock.millis() / 1000);
            Object answer;
            if (page.isEmpty()) {
                throw new IllegalArgumentException("name a page (/api/page-views/<page>) or ask for /api/page-views/top");
            } else if ("top".equals(page)) {
                answer = stats.top(range.from(), range.to(), PageViewQuery.limit(msg.getHeader("limit", String.class)));
            } else {
                answer = stats.counts(page, range.from(), range.to(), PageViewQuery.granularity(msg.getHeader("granularity", String.class)));
            }
            msg.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            msg.setBody(JSON.writeValueAsString(answer));
        } catch (IllegalArgumentException e) {
            msg.setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            msg.setBody(JSON.writeValueAsString(Map.of("error", e.getMessage())));
        }
    }
}
