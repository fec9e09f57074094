package dev.tcjobmonitor.alert;

import static dev.tcjobmonitor.alert.DigestModel.count;
import static dev.tcjobmonitor.alert.DigestModel.cutNote;
import static dev.tcjobmonitor.alert.DigestModel.executionId;
import static dev.tcjobmonitor.alert.DigestModel.exitMessage;
import static dev.tcjobmonitor.alert.DigestModel.failedAt;
import static dev.tcjobmonitor.alert.DigestModel.field;
import static dev.tcjobmonitor.alert.DigestModel.heldLine;
import static dev.tcjobmonitor.alert.DigestModel.reminderLine;
import static dev.tcjobmonitor.alert.DigestModel.unlistedOfJob;

import dev.tcjobmonitor.alert.DigestModel.Digest;
import dev.tcjobmonitor.alert.DigestModel.JobFailures;
import dev.tcjobmonitor.alert.DigestModel.Recovered;
import java.util.List;

/**
 * Renders an {@link EmailDigest}'s HTML part: a complete document with inline styles (what mail
 * clients keep), one table per job and one for the recovered jobs. Everything from ThreatConnect in
 * it is escaped, so it cannot add markup.
 */
final class DigestHtml {

    private static final String CELL = "padding:6px 10px;border-bottom:1px solid #d0d7de;vertical-align:top;text-align:left;";
    private static final String HEAD_CELL = CELL + "background:#f6f8fa;font-weight:bold;";
    private static final String PRE = "margin:0;white-space:pre-wrap;word-break:break-word;"
            + "font-family:Consolas,Menlo,monospace;font-size:12px;";

    private DigestHtml() {
    }

    static String html(Digest digest, List<String> elsewhere, List<EmailDigest.Silenced> silenced) {
        StringBuilder html = new StringBuilder(2048);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escaped("Failed ThreatConnect job executions on monitor '" + digest.monitor() + "'"))
                .append("</title>\n</head>\n")
                .append("<body style=\"margin:0;padding:16px;background:#ffffff;color:#1f2328;")
                .append("font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;\">\n")
                .append("<h1 style=\"font-size:18px;margin:0 0 4px 0;\">Failed ThreatConnect job executions</h1>\n")
                .append("<p style=\"margin:0 0 16px 0;color:#57606a;\">Monitor <strong>").append(escaped(digest.monitor()))
                .append("</strong>: ").append(escaped(digest.counts())).append(".</p>\n");
        if (digest.cut()) {
            html.append("<p style=\"margin:0 0 16px 0;\"><strong>").append(escaped(cutNote(digest, elsewhere))).append("</strong></p>\n");
        }
        for (JobFailures job : digest.jobs()) {
            html.append("<h2 style=\"font-size:16px;margin:24px 0 8px 0;\">").append(escaped(job.title()))
                    .append(" <span style=\"font-weight:normal;color:#57606a;\">").append(escaped(job.countText()))
                    .append("</span></h2>\n");
            if (job.reminder() != null) {
                html.append("<p style=\"margin:0 0 4px 0;\"><strong>").append(escaped(reminderLine(job.reminder())))
                        .append("</strong></p>\n<pre style=\"").append(PRE).append("margin:0 0 8px 0;\">")
                        .append(HtmlText.escape(exitMessage(job.reminder().execution()))).append("</pre>\n");
            }
            if (job.listed().isEmpty()) {
                if (job.count() > 0) {
                    html.append("<p style=\"margin:0;color:#57606a;\">").append(escaped(unlistedOfJob(job))).append("</p>\n");
                }
                heldHtml(html, job);
                continue;
            }
            html.append("<table style=\"border-collapse:collapse;width:100%;font-size:13px;\">\n<thead><tr>");
            for (String heading : List.of("Execution", "Failed at", "Server", "Status", "Exit message")) {
                html.append("<th style=\"").append(HEAD_CELL).append("\">").append(heading).append("</th>");
            }
            html.append("</tr></thead>\n<tbody>\n");
            for (Alert alert : job.listed()) {
                FailedExecution execution = alert.execution();
                html.append("<tr>")
                        .append(cell(escaped(executionId(alert))))
                        .append(cell(escaped(failedAt(alert))))
                        .append(cell(escaped(field(execution, "serverName"))))
                        .append(cell(escaped(field(execution, "status"))))
                        .append(cell("<pre style=\"" + PRE + "\">" + HtmlText.escape(exitMessage(execution)) + "</pre>"))
                        .append("</tr>\n");
            }
            html.append("</tbody>\n</table>\n");
            if (job.unlisted() > 0) {
                html.append("<p style=\"margin:4px 0 0 0;color:#57606a;\">").append(escaped(unlistedOfJob(job))).append("</p>\n");
            }
            heldHtml(html, job);
        }
        if (!digest.recovered().isEmpty()) {
            html.append("<h2 style=\"font-size:16px;margin:24px 0 8px 0;color:#1a7f37;\">Recovered <span style=\"font-weight:normal;")
                    .append("color:#57606a;\">").append(count(digest.recovered().size(), "job")).append("</span></h2>\n")
                    .append("<table style=\"border-collapse:collapse;width:100%;font-size:13px;\">\n<thead><tr>");
            for (String heading : List.of("Job", "Completed at", "Failures")) {
                html.append("<th style=\"").append(HEAD_CELL).append("\">").append(heading).append("</th>");
            }
            html.append("</tr></thead>\n<tbody>\n");
            for (Recovered job : digest.recovered()) {
                html.append("<tr>").append(cell(escaped(job.title()))).append(cell(escaped(job.completedAt())))
                        .append(cell(escaped(job.failures()))).append("</tr>\n");
            }
            html.append("</tbody>\n</table>\n");
        }
        if (!silenced.isEmpty()) {
            html.append("<h2 style=\"font-size:16px;margin:24px 0 8px 0;color:#57606a;\">Silenced</h2>\n");
            for (EmailDigest.Silenced silence : silenced) {
                html.append("<p style=\"margin:0 0 4px 0;color:#57606a;\">").append(escaped(silence.text())).append("</p>\n");
            }
        }
        html.append("</body>\n</html>\n");
        return html.toString();
    }

    private static void heldHtml(StringBuilder html, JobFailures job) {
        if (job.held() != null) {
            html.append("<p style=\"margin:4px 0 0 0;color:#57606a;\">").append(escaped(heldLine(job.held()))).append("</p>\n");
        }
    }

    private static String escaped(String text) {
        return HtmlText.escape(UntrustedText.oneLine(text));
    }

    private static String cell(String content) {
        return "<td style=\"" + CELL + "\">" + content + "</td>";
    }
}
