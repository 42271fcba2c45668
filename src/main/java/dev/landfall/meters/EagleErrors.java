package dev.landfall.meters;


import java.util.Locale;

/**
 * Tells the EAGLE's own error answers apart from unreadable ones, keeping messages short and free of credentials.
 */
final class EagleErrors {

    private static final int MAX_TEXT = 100;
    private static final String CREDENTIALS_REFUSED = "EAGLE refused the credentials";

    /** Phrases that, in an otherwise unreadable body (a web server's 401 page, a bare line of text), mean a refusal. */
    private static final String[] REFUSALS = {
            "unauthorized", "unauthorised", "not authorized", "authorization required", "authentication required",
            "authentication failed", "invalid user", "invalid password", "wrong password", "invalid install code",
            "invalid cloud id", "invalid credentials", "bad credentials", "access denied", "login failed"};

    /** Words that make an explicit error reply one about credentials. */
    private static final String[] CREDENTIAL_WORDS = {
            "unauthori", "not authori", "authorization", "authentication", "credential", "password", "install code",
            "installcode", "install_code", "cloud id", "cloud-id", "cloudid", "cloud_id", "invalid user",
            "unknown user", "username", "user name", "login", "log in", "access denied", "forbidden"};

    private EagleErrors() {
    }

    /** The exception for a body that holds no meter data: a credentials refusal if it reads like one, else the problem. */
    static EagleResponseException unreadable(String text, String problem) {
        return containsAny(text, REFUSALS) ? new EagleErrorReply(CREDENTIALS_REFUSED, true)
                : new EagleResponseException(problem);
    }

    /** Throws when one of the top-level fragments is an {@code <Error>} element. */
    static void throwIfErrorElement(EagleXml.Element root) {
        for (EagleXml.Element fragment : EagleXml.children(root)) {
            if (EagleXml.named(fragment, "Error")) {
                throw reply(errorText(fragment));
            }
        }
    }

    static EagleErrorReply reply(String deviceText) {
        String text = deviceText == null ? "" : deviceText.trim();
        if (containsAny(text, CREDENTIAL_WORDS)) {
            return new EagleErrorReply(CREDENTIALS_REFUSED, true);
        }
        return new EagleErrorReply(text.isEmpty() ? "EAGLE error reply without text" : "EAGLE error reply: " + shortened(text),
                false);
    }

    /** Printable ASCII only, at most a hundred characters, for echoing device text in a message. */
    static String shortened(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_TEXT + 3));
        for (int i = 0; i < text.length() && out.length() < MAX_TEXT; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : ' ');
        }
        if (text.length() > MAX_TEXT) {
            out.append("...");
        }
        return out.toString().trim();
    }

    private static String errorText(EagleXml.Element error) {
        for (String name : new String[] {"Text", "Description", "Message", "Reason"}) {
            String text = EagleXml.childText(error, name);
            if (text != null) {
                return text;
            }
        }
        return EagleXml.textOrNull(error);
    }

    private static boolean containsAny(String text, String[] phrases) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String phrase : phrases) {
            if (lower.contains(phrase)) {
                return true;
            }
        }
        return false;
    }
}
