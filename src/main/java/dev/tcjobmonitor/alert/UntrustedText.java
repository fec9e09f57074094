package dev.tcjobmonitor.alert;

/**
 * Text that came from ThreatConnect, made fit to show to a person. Job names, ids and exit
 * messages are whatever the instance (or whoever named the job) put there: a line break in a
 * subject would start a new mail header, an escape sequence would drive a terminal, and a bidi
 * override would make a name read backwards. None of that survives here.
 */
final class UntrustedText {

    private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile(" {2,}");

    private UntrustedText() {
    }

    /** One line: every control character and line separator becomes a space; runs of spaces collapse. */
    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        if (isCleanAsciiLine(text)) {
            return text; // the usual id, job id or status: nothing to clean, so no copy
        }
        StringBuilder line = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (breaksLine(c) || Character.isISOControl(c) || Character.isWhitespace(c)) {
                line.append(' ');
            } else if (!invisible(c)) {
                line.appendCodePoint(c);
            }
        });
        return SPACES.matcher(line).replaceAll(" ").strip();
    }

    /** Printable ASCII only, with no space at either end and never two in a row: what {@link #oneLine} leaves as it is. */
    private static boolean isCleanAsciiLine(String text) {
        char previous = ' ';
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == ' ' && previous == ' ') {
                return false;
            }
            previous = c;
        }
        return previous != ' ';
    }

    /**
     * Several lines, as in an exit message: every kind of line break becomes {@code \n}, tabs stay,
     * other control characters go, and trailing blank lines and spaces are trimmed.
     */
    static String lines(String text) {
        if (text == null) {
            return "";
        }
        String unified = text.replace("\r\n", "\n");
        StringBuilder lines = new StringBuilder(unified.length());
        unified.codePoints().forEach(c -> {
            if (breaksLine(c)) {
                lines.append('\n');
            } else if (c == '\t') {
                lines.append('\t');
            } else if (!Character.isISOControl(c) && !invisible(c)) {
                lines.appendCodePoint(c);
            }
        });
        return lines.toString().stripTrailing();
    }

    /** At most {@code max} characters, ending in "..." when cut, never splitting a surrogate pair. */
    static String shortened(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 3;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end).stripTrailing() + "...";
    }

    private static boolean breaksLine(int c) {
        return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    /** Zero-width and direction-changing characters: they alter how the text around them reads. */
    private static boolean invisible(int c) {
        return Character.getType(c) == Character.FORMAT;
    }
}
