package dev.landfall.pageviews;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Decides which access-log records are page views and names the page: the key without a trailing
 * {@code /index.html} (or {@code index.html}), unless the mapping file names it otherwise.
 *
 * @param botPattern a user agent matching it is not a view; null means no bot filter
 * @param pageNames  custom page names by object key (decoded)
 */
public record PageViewRules(Set<String> operations, Set<Integer> statuses, List<String> pageSuffixes,
                            List<String> excludedPrefixes, Pattern botPattern, Map<String, String> pageNames) {

    public static final String HOME = "/";

    public static PageViewRules defaults() {
        return new PageViewRules(Set.of("WEBSITE.GET.OBJECT", "REST.GET.OBJECT"), Set.of(200, 304),
                List.of(".html", ".htm"), List.of(), null, Map.of());
    }

    /** The page name if the record is a page view, else null; an IllegalArgumentException for a key that is bad input. */
    public String pageName(S3AccessLogRecord r) {
        if (r.operation() == null || !operations.contains(r.operation())
                || r.httpStatus() == null || !statuses.contains(r.httpStatus()) || r.key() == null) {
            return null;
        }
        String key = decode(r.key());
        if (!isPage(key) || isExcluded(key)) {
            return null;
        }
        if (botPattern != null && r.userAgent() != null && isBot(botPattern, r.userAgent())) {
            return null;
        }
        String custom = pageNames.get(key);
        return custom != null ? custom : trim(key);
    }

    /** The bot filter of each pattern, made once: a case-insensitive list of plain words is searched without the regex engine. */
    private static final Map<Pattern, Predicate<String>> BOT_FILTERS = new ConcurrentHashMap<>();
    private static final Pattern PLAIN_WORDS = Pattern.compile("[A-Za-z0-9 _/-]+(\\|[A-Za-z0-9 _/-]+)*");

    static boolean isBot(Pattern pattern, String userAgent) {
        return BOT_FILTERS.computeIfAbsent(pattern, PageViewRules::botFilter).test(userAgent);
    }

    /** Pattern.find, or for {@code a|b|c} with CASE_INSENSITIVE alone (ASCII folding, as the regex engine does it) a word search. */
    static Predicate<String> botFilter(Pattern pattern) {
        if (pattern.flags() != Pattern.CASE_INSENSITIVE || !PLAIN_WORDS.matcher(pattern.pattern()).matches()) {
            return ua -> pattern.matcher(ua).find();
        }
        String[] words = asciiLower(pattern.pattern()).split("\\|");
        return ua -> {
            String lower = asciiLower(ua);
            for (String w : words) {
                if (lower.contains(w)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String asciiLower(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = s.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    char d = chars[j];
                    if (d >= 'A' && d <= 'Z') {
                        chars[j] = (char) (d + 32);
                    }
                }
                return new String(chars);
            }
        }
        return s;
    }

    /** The object key as S3 logs it (URL-encoded) decoded; a key that does not decode, or holds a control character, is bad input. */
    static String decode(String logged) {
        String key;
        try {
            key = logged.indexOf('%') >= 0 || logged.indexOf('+') >= 0
                    ? URLDecoder.decode(logged.replace("+", "%2B"), StandardCharsets.UTF_8) : logged;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + logged + "' is not valid URL encoding");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("key '" + logged + "' holds a control character (U+" + String.format("%04X", (int) c) + ")");
            }
        }
        return key;
    }

    private boolean isPage(String key) {
        for (String suffix : pageSuffixes) {
            if (key.regionMatches(true, key.length() - suffix.length(), suffix, 0, suffix.length())) {
                return true;
            }
        }
        return false;
    }

    private boolean isExcluded(String key) {
        for (String prefix : excludedPrefixes) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    static String trim(String key) {
        String page = key;
        if (page.endsWith("/index.html")) {
            page = page.substring(0, page.length() - "/index.html".length());
        } else if (page.equals("index.html")) {
            page = "";
        }
        return page.isEmpty() ? HOME : page;
    }
}
