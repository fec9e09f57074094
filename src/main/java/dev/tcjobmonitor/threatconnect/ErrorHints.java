package dev.tcjobmonitor.threatconnect;

import java.util.Locale;

/** What an operator should check when ThreatConnect refuses a request for good. */
final class ErrorHints {

    private ErrorHints() {
    }

    static String forRefusal(int status, String message) {
        String text = message.toLowerCase(Locale.ROOT);
        if (status == 401 && text.contains("timestamp")) {
            return "check this host's clock: HMAC timestamps must be within 5 minutes of ThreatConnect's";
        }
        if (status == 401 && text.contains("signature")) {
            return "check tc.access-id and tc.secret-key, and that no proxy rewrites the request URL";
        }
        if (status == 401) {
            return "check the credentials (tc.access-id/tc.secret-key, or tc.api-token and whether it expired)";
        }
        if (status == 403) {
            return "the API user may not read job executions: check its role in ThreatConnect";
        }
        if (status == 400) {
            return "check the query: monitor.time-field, monitor.statuses and monitor.extra-tql must use TQL fields"
                    + " the instance knows (OPTIONS {base}/v3/job/executions/tql lists them)";
        }
        if (status == 404) {
            return "check tc.base-url: it is the API root and ends in /api";
        }
        return "";
    }
}
