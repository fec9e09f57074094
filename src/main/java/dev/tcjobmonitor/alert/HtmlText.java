package dev.tcjobmonitor.alert;

/**
 * Escapes text for an HTML element's content or a quoted attribute value. Every character with a
 * meaning in markup is replaced, so text from ThreatConnect can only ever be read, never run.
 */
final class HtmlText {

    private HtmlText() {
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
