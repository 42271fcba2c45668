package dev.landfall.common;

import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * The headers an HTTP answer of Landfall may carry: a fixed list (content, caching, retry, rate limits, auth), so that
 * no request header, form field or header a route set for its own use is echoed back to the caller — camel's default
 * copies every message header that is not a Camel one into the answer, which would also send back a form body's
 * fields as header names (refused by Vert.x with a 500). Headers from the request into the exchange are filtered as
 * platform-http's default does. Set on the platform-http component ({@code camel.component.platform-http.header-filter-strategy}).
 */
public final class HttpResponseHeaders implements HeaderFilterStrategy {

    static final Set<String> ANSWERED = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        ANSWERED.addAll(Set.of("Content-Type", "Content-Language", "Content-Disposition", "Content-Encoding",
                "Cache-Control", "ETag", "Last-Modified", "Expires", "Vary", "Location", "Allow",
                "Retry-After", "RateLimit", "RateLimit-Policy", "WWW-Authenticate"));
    }

    private final HeaderFilterStrategy platform = new HttpHeaderFilterStrategy();

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !ANSWERED.contains(headerName) || platform.applyFilterToCamelHeaders(headerName, headerValue, exchange);
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return platform.applyFilterToExternalHeaders(headerName, headerValue, exchange);
    }
}
