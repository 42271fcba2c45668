package dev.landfall.pageviews;

import java.time.Clock;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The page-view API's answers, called by the Rest DSL routes of page-views.camel.yaml with the bound query
 * parameters: a bad parameter is an IllegalArgumentException (400 by the shared landfall-http mapping), too many calls
 * in progress or a missed deadline a {@link PageViewStats.Unavailable} (503), so the HTTP workers these calls hold
 * stay few and are soon given back.
 */
public final class PageViewsApi {

    private final PageViewStats stats;
    private final Clock clock;
    private final Semaphore inFlight;

    public PageViewsApi(PageViewStats stats, Clock clock, int maxConcurrent) {
        this.stats = stats;
        this.clock = clock;
        this.inFlight = new Semaphore(maxConcurrent);
    }

    /** {@code GET /api/page-views/top?from=&to=&limit=}: pages ranked by views over whole UTC days. */
    public PageViewStats.Top top(String from, String to, String limit) {
        PageViewQuery.Range days = PageViewQuery.top(PageViewQuery.range(from, to, clock.millis() / 1000));
        int max = PageViewQuery.limit(limit);
        return admitted(() -> stats.top(days, max));
    }

    /** {@code GET /api/page-views/<page>?from=&to=&granularity=hour|day}: views of one page per period. */
    public PageViewStats.PageCounts counts(String page, String from, String to, String granularity) {
        String name = PageViewQuery.pageName(page);
        PageViewQuery.Range range = PageViewQuery.range(from, to, clock.millis() / 1000);
        PageViewStats.Granularity g = PageViewQuery.granularity(granularity);
        PageViewQuery.Range periods = PageViewQuery.counts(range, g);
        return admitted(() -> stats.counts(name, periods, g));
    }

    private <T> T admitted(Supplier<T> work) {
        if (!inFlight.tryAcquire()) {
            throw new PageViewStats.Unavailable("too many calls in progress");
        }
        try {
            return work.get();
        } finally {
            inFlight.release();
        }
    }
}
