package dev.landfall.pageviews;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/** {@code POST /admin/page-views/backfill?bucket=&prefix=&from=&to=} requests a backfill; {@code GET} shows its progress. */
public final class PageViewsBackfillApiProcessor implements Processor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PageViewsBackfill backfill;
    private final String defaultBucket;
    private final String defaultPrefix;

    public PageViewsBackfillApiProcessor(PageViewsBackfill backfill, String defaultBucket, String defaultPrefix) {
        this.backfill = backfill;
        this.defaultBucket = defaultBucket;
        this.defaultPrefix = defaultPrefix;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message msg = exchange.getMessage();
        msg.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            Object answer;
            if ("POST".equals(msg.getHeader(Exchange.HTTP_METHOD, String.class))) {
                answer = backfill.request(msg.getHeader("bucket", defaultBucket, String.class),
                        msg.getHeader("prefix", defaultPrefix, String.class),
                        msg.getHeader("from", String.class), msg.getHeader("to", String.class));
                msg.setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
            } else {
                answer = backfill.status();
                msg.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            }
            msg.setBody(JSON.writeValueAsString(answer));
        } catch (IllegalArgumentException e) {
            msg.setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            msg.setBody(JSON.writeValueAsString(Map.of("error", e.getMessage())));
        }
    }
}
