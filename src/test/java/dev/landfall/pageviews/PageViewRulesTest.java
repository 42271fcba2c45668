package dev.landfall.pageviews;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.landfall.testing.AccessLogLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PageViewRulesTest {

    private static S3AccessLogRecord record(String operation, String key, int status, String agent) {
        return (S3AccessLogRecord) S3AccessLogParser.parse(AccessLogLines.line(1_666_255_782L, "REQ1", operation, key, status, agent));
    }

    @Test
    void theForshawLineIsAViewOfItsArticle() {
        String line = "d6ad5cb3f4c0a2e93f5b9a0e1f1c2b3a4d5e6f708192a3b4c5d6e7f8091a6af62 www.forshaw.tech [20/Oct/2022:08:49:42 +0000] "
                + "14.161.28.234 - K6E0D2C8A1B3F7N1 WEBSITE.GET.OBJECT blog/articles/2021-11-21-understanding-scrum-part-2/index.html "
                + "\"GET /blog/articles/2021-11-21-understanding-scrum-part-2/ HTTP/1.1\" 200 - 21653 21653 100 99 "
                + "\"http://www.forshaw.tech/blog/tags/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:106.0) Gecko/20100101 Firefox/106.0\" "
                + "- LA99AxEegEE= - - - www.forshaw.tech - -";
        S3AccessLogRecord r = (S3AccessLogRecord) S3AccessLogParser.parse(line);
        assertThat(PageViewRules.defaults().pageName(r)).isEqualTo("blog/articles/2021-11-21-understanding-scrum-part-2");
        assertThat(r.epochSeconds()).isEqualTo(1666255782L);
    }

    @ParameterizedTest
    @CsvSource({
            "WEBSITE.GET.OBJECT, blog/a/index.html, 200, blog/a",
            "REST.GET.OBJECT, blog/a/index.html, 304, blog/a",
            "WEBSITE.GET.OBJECT, index.html, 200, /",
            "WEBSITE.GET.OBJECT, about.htm, 200, about.htm",
            "WEBSITE.GET.OBJECT, docs/My%20Page.html, 200, docs/My Page.html",
            "WEBSITE.GET.OBJECT, css/site.css, 200, ",
            "WEBSITE.GET.OBJECT, blog/a/index.html, 404, ",
            "REST.PUT.OBJECT, blog/a/index.html, 200, ",
            "WEBSITE.HEAD.OBJECT, blog/a/index.html, 200, "})
    void defaultRulesDecideViewsAndNamePages(String operation, String key, int status, String page) {
        assertThat(PageViewRules.defaults().pageName(record(operation, key, status, "Mozilla/5.0"))).isEqualTo(page);
    }

    @Test
    void botsExcludedPrefixesAndCustomNamesFollowConfiguration() {
        PageViewRules rules = new PageViewRules(Set.of("WEBSITE.GET.OBJECT"), Set.of(200), List.of(".html"), List.of("drafts/"),
                Pattern.compile("bot|crawl", Pattern.CASE_INSENSITIVE), Map.of("blog/a/index.html", "Article A"));
        assertThat(rules.pageName(record("WEBSITE.GET.OBJECT", "blog/a/index.html", 200, "Googlebot/2.1"))).isNull();
        assertThat(rules.pageName(record("WEBSITE.GET.OBJECT", "drafts/x.html", 200, "Mozilla/5.0"))).isNull();
        assertThat(rules.pageName(record("WEBSITE.GET.OBJECT", "blog/a/index.html", 200, "Mozilla/5.0"))).isEqualTo("Article A");
        assertThat(rules.pageName(record("WEBSITE.GET.OBJECT", "blog/b/index.html", 200, "Mozilla/5.0"))).isEqualTo("blog/b");
    }

    @Test
    void sortKeysOrderByTimeAndKeepRequestsApart() {
        assertThat(PageViewItems.sortKey(1666255782L, "A")).isEqualTo("1666255782#A");
        assertThat(PageViewItems.sortKey(1666255782L, "A")).isNotEqualTo(PageViewItems.sortKey(1666255782L, "B"));
        assertThat(PageViewItems.sortKey(999_999_999L, "Z")).isLessThan(PageViewItems.sortKey(1_000_000_000L, "A"));
        assertThat(PageViewItems.epochOf("1666255782#A")).isEqualTo(1666255782L);
    }
}
