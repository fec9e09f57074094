package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.threatconnect.ThreatConnectException;

/** Makes one readable line of an exception chain, for the poll's failure log line. */
final class Failures {

    private Failures() {
    }

    static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown error";
        }
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ThreatConnectException) {
                return oneLine(t.getMessage());
            }
            root = t;
        }
        String message = root.getMessage();
        String type = root.getClass().getSimpleName();
        return oneLine(message == null || message.isBlank() ? type : type + ": " + message);
    }

    static String oneLine(String text) {
        return text.replaceAll("[\\p{Cc}\\u2028\\u2029]+", " ").strip();
    }
}
