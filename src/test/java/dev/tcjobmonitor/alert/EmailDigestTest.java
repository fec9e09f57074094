package dev.tcjobmonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The email a monitor sends for its failures: subject, plain text and HTML, grouped by job. */
class EmailDigestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "[TC]";
    private static final Map<String, String> NAMES = Map.of(
            "174", "Feed import",
            "9", "Nightly export",
            "10", "Report builder");
    private static final Function<String, String> JOB_NAMES = id -> NAMES.getOrDefault(id, "Job " + id);

    private final EmailDigest digest = new EmailDigest(JOB_NAMES);

    private static ObjectNode execution(long id, Object jobId, String failedTime, String exitMessage) {
        ObjectNode fields = JSON.createObjectNode().put("id", id);
        if (jobId instanceof Number number) {
            fields.put("jobId", number.longValue());
        } else if (jobId != null) {
            fields.put("jobId", jobId.toString());
        }
        return fields.put("failedTime", failedTime)
                .put("exitMessage", exitMessage)
                .put("serverName", "tc-job-1")
                .put("status", "Failed");
    }

    private static Alert alert(ObjectNode fields) {
        FailedExecution execution = new FailedExecution(fields);
        Instant eventTime = execution.instant("failedTime").orElse(Instant.parse("2024-04-10T12:00:00Z"));
        String document = AlertDocument.render(execution, "default", "https://tc.example/api", eventTime);
        return new Alert(execution, execution.deliveryKey(), eventTime, document, Set.of("email"), "default");
    }

    private static Alert alert(long id, Object jobId, String failedTime, String exitMessage) {
        return alert(execution(id, jobId, failedTime, exitMessage));
    }

    private static Alert alert(long id, Object jobId, String failedTime) {
        return alert(id, jobId, failedTime, "failure " + id + "\n");
    }

    /** Five failures of three jobs: 174 fails three times, 9 and 10 once each. */
    private static List<Alert> fiveFailuresOfThreeJobs() {
        return List.of(
                alert(1005, 10, "2024-04-10T10:50:00Z"),
                alert(1003, 174, "2024-04-10T10:30:00Z"),
                alert(1001, 174, "2024-04-10T10:10:00Z"),
                alert(1004, 9, "2024-04-10T10:40:00Z"),
                alert(1002, 174, "2024-04-10T10:20:00Z"));
    }

    @Nested
    class Subject {

        @Test
        void oneFailureNamesTheJob() {
            assertThat(digest.subject(PREFIX, List.of(alert(1001, 174, "2024-04-10T10:10:00Z"))))
                    .isEqualTo("[TC] Job \"Feed import\" failed on monitor 'default'");
        }

        @Test
        void severalFailuresOfOneJobSayHowOften() {
            List<Alert> alerts = List.of(alert(1001, 174, "2024-04-10T10:10:00Z"), alert(1002, 174, "2024-04-10T10:20:00Z"));

            assertThat(digest.subject(PREFIX, alerts)).isEqualTo("[TC] Job \"Feed import\" failed 2 times on monitor 'default'");
        }

        @Test
        void failuresOfSeveralJobsSayHowManyJobsAndExecutions() {
            assertThat(digest.subject(PREFIX, fiveFailuresOfThreeJobs()))
                    .isEqualTo("[TC] 3 jobs failed: 5 failed executions on monitor 'default'");
        }

        @Test
        void jobWithoutAKnownNameIsNamedByItsId() {
            assertThat(digest.subject(PREFIX, List.of(alert(1001, 555, "2024-04-10T10:10:00Z"))))
                    .isEqualTo("[TC] Job 555 failed on monitor 'default'");
        }

        @Test
        void emptyPrefixLeavesNoLeadingSpace() {
            assertThat(digest.subject("", List.of(alert(1001, 174, "2024-04-10T10:10:00Z"))))
                    .isEqualTo("Job \"Feed import\" failed on monitor 'default'");
        }

        @Test
        void jobNameCannotAddAMailHeader() {
            EmailDigest hostile = new EmailDigest(id -> "Feed\r\nBcc: evil@example.com");

            String subject = hostile.subject(PREFIX, List.of(alert(1001, 174, "2024-04-10T10:10:00Z")));

            assertThat(subject)
                    .doesNotContain("\r", "\n")
                    .isEqualTo("[TC] Job \"Feed Bcc: evil@example.com\" failed on monitor 'default'");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\r", "\n", "\r\n", "\u0000", "\t", "\u000B", "\u000C", "\u001B[31m", "\u007F", "\u0085",
                "\u2028", "\u2029", "\u202E", "\u200B"})
        void noControlCharacterFromThreatConnectReachesTheSubject(String control) {
            EmailDigest hostile = new EmailDigest(id -> "Feed" + control + "import");

            String subject = hostile.subject(PREFIX, List.of(alert(1001, "17" + control + "4", "2024-04-10T10:10:00Z")));

            assertThat(subject.codePoints()).noneMatch(c -> Character.isISOControl(c)
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
                    || Character.getType(c) == Character.FORMAT);
        }

        @Test
        void subjectIsKeptShortWhateverTheJobName() {
            EmailDigest verbose = new EmailDigest(id -> "x".repeat(5_000));

            assertThat(verbose.subject(PREFIX, List.of(alert(1001, 174, "2024-04-10T10:10:00Z"))))
                    .hasSizeLessThanOrEqualTo(EmailDigest.MAX_SUBJECT)
                    .startsWith("[TC] Job \"xxx")
                    .endsWith("...\" failed on monitor 'default'");
        }

        @Test
        void subjectIsKeptShortWhateverThePrefix() {
            assertThat(digest.subject("y".repeat(5_000), fiveFailuresOfThreeJobs())).hasSizeLessThanOrEqualTo(EmailDigest.MAX_SUBJECT);
        }
    }

    @Nested
    class Text {

        @Test
        void failuresAreGroupedByJobWithCounts() {
            String text = digest.text(fiveFailuresOfThreeJobs());

            assertThat(text)
                    .startsWith("Monitor 'default': 3 jobs failed, 5 failed executions.\n")
                    .contains("== Feed import (job 174): 3 failed executions ==")
                    .contains("== Nightly export (job 9): 1 failed execution ==")
                    .contains("== Report builder (job 10): 1 failed execution ==");
        }

        @Test
        void jobWithMostFailuresComesFirstThenJobsByIdAndExecutionsByFailedTime() {
            String text = digest.text(fiveFailuresOfThreeJobs());

            assertThat(text).containsSubsequence(
                    "Feed import", "Execution 1001", "Execution 1002", "Execution 1003",
                    "Nightly export (job 9)", "Execution 1004",
                    "Report builder (job 10)", "Execution 1005");
        }

        @Test
        void eachExecutionShowsWhenWhereAndWhy() {
            String text = digest.text(List.of(alert(1001, 174, "2024-04-10T10:10:00Z", "Connection refused\n")));

            assertThat(text).contains("""
                    Execution 1001
                      Failed at:    2024-04-10T10:10:00Z
                      Server:       tc-job-1
                      Status:       Failed
                      Exit message:
                        Connection refused
                    """);
        }

        @Test
        void everyLineOfAMultiLineExitMessageIsIndentedAndTheTrailingNewlineIsTrimmed() {
            String text = digest.text(List.of(alert(1001, 174, "2024-04-10T10:10:00Z", "first line\r\nsecond line\n\n")));

            assertThat(text).endsWith("  Exit message:\n    first line\n    second line\n");
        }

        @Test
        void controlCharactersThatCouldDriveATerminalAreDropped() {
            String text = digest.text(List.of(alert(1001, 174, "2024-04-10T10:10:00Z", "red \u001B[31malert\u0007")));

            assertThat(text).doesNotContain("\u001B", "\u0007", "\r").contains("red [31malert");
        }

        @Test
        void missingFieldsAreSaidToBeMissing() {
            ObjectNode bare = JSON.createObjectNode().put("id", 1001).put("jobId", 174);

            assertThat(digest.text(List.of(alert(bare))))
                    .contains("Failed at:    2024-04-10T12:00:00Z (detected)")
                    .contains("Server:       (not given)")
                    .contains("Exit message:\n    (not given)");
        }

        @Test
        void failuresWithoutAJobIdAreGroupedTogetherWithoutAskingForAName() {
            AtomicInteger asked = new AtomicInteger();
            EmailDigest counting = new EmailDigest(id -> {
                asked.incrementAndGet();
                return JOB_NAMES.apply(id);
            });

            String text = counting.text(List.of(alert(1001, null, "2024-04-10T10:10:00Z"), alert(1002, null, "2024-04-10T10:20:00Z")));

            assertThat(text).contains("== Unknown job: 2 failed executions ==");
            assertThat(asked).hasValue(0);
        }
    }

    @Nested
    class Html {

        @Test
        void isACompleteDocumentWithTheMonitorAndCounts() {
            String html = digest.html(fiveFailuresOfThreeJobs());

            assertThat(html)
                    .startsWith("<!DOCTYPE html>")
                    .contains("<meta charset=\"utf-8\">")
                    .contains("Monitor <strong>default</strong>: 3 jobs failed, 5 failed executions.")
                    .endsWith("</html>\n");
        }

        @Test
        void hasOneTablePerJobInTheDigestOrder() {
            String html = digest.html(fiveFailuresOfThreeJobs());

            assertThat(html.split("<table", -1)).hasSize(4);
            assertThat(html).containsSubsequence(
                    "Feed import (job 174)", "3 failed executions", ">1001<", ">1002<", ">1003<",
                    "Nightly export (job 9)", "1 failed execution", ">1004<",
                    "Report builder (job 10)", "1 failed execution", ">1005<");
        }

        @Test
        void scriptInAnExitMessageIsShownAsText() {
            String html = digest.html(List.of(alert(1001, 174, "2024-04-10T10:10:00Z", "<script>alert('x')</script>")));

            assertThat(html)
                    .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                    .doesNotContain("<script", "</script>");
        }

        @Test
        void markupBreakingOutOfAnAttributeIsShownAsText() {
            String html = digest.html(List.of(alert(1001, 174, "2024-04-10T10:10:00Z", "\"><img src=x onerror=alert(1)>")));

            assertThat(html)
                    .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
                    .doesNotContain("<img");
        }

        @Test
        void everyValueFromThreatConnectIsEscaped() {
            EmailDigest hostile = new EmailDigest(id -> "<b>Feed</b> & \"co\"");
            ObjectNode fields = execution(1001, 174, "<i>time</i>", "ok")
                    .put("serverName", "<u>server</u>")
                    .put("status", "<s>Failed</s>")
                    .put("id", "<em>1001</em>");

            String html = hostile.html(List.of(alert(fields)));

            assertThat(html)
                    .contains("&lt;b&gt;Feed&lt;/b&gt; &amp; &quot;co&quot;")
                    .contains("&lt;i&gt;time&lt;/i&gt;", "&lt;u&gt;server&lt;/u&gt;", "&lt;s&gt;Failed&lt;/s&gt;", "&lt;em&gt;1001&lt;/em&gt;")
                    .doesNotContain("<b>", "<i>", "<u>", "<s>", "<em>");
        }

        @Test
        void lineBreaksOfTheExitMessageArePreserved() {
            String html = digest.html(List.of(alert(1001, 174, "2024-04-10T10:10:00Z", "first line\nsecond line\n")));

            assertThat(html).containsPattern("<pre style=\"[^\"]*white-space:pre-wrap;[^\"]*\">first line\nsecond line</pre>");
        }
    }

    @Nested
    class Rendering {

        @Test
        void orderOfTheAlertsDoesNotChangeTheEmail() {
            List<Alert> alerts = fiveFailuresOfThreeJobs();
            List<Alert> shuffled = new ArrayList<>(alerts);
            Collections.shuffle(shuffled, new Random(42));

            assertThat(digest.text(shuffled)).isEqualTo(digest.text(alerts));
            assertThat(digest.html(shuffled)).isEqualTo(digest.html(alerts));
            assertThat(digest.subject(PREFIX, shuffled)).isEqualTo(digest.subject(PREFIX, alerts));
        }

        @Test
        void jobsWithEqualCountsAreOrderedByIdAsANumber() {
            List<Alert> alerts = List.of(alert(1, 10, "2024-04-10T10:10:00Z"), alert(2, 9, "2024-04-10T10:10:00Z"),
                    alert(3, "abc", "2024-04-10T10:10:00Z"), alert(4, 100, "2024-04-10T10:10:00Z"));

            assertThat(digest.text(alerts)).containsSubsequence("(job 9)", "(job 10)", "== Job 100:", "== Job abc:");
        }

        @Test
        void eachJobNameIsAskedForOncePerRendering() {
            AtomicInteger asked = new AtomicInteger();
            EmailDigest counting = new EmailDigest(id -> {
                asked.incrementAndGet();
                return JOB_NAMES.apply(id);
            });

            counting.html(fiveFailuresOfThreeJobs());

            assertThat(asked).hasValue(3);
        }

        /**
         * The sink renders a mail's subject, text and HTML from one grouping: a name that is slow to
         * come (ThreatConnect unreachable) is waited for once per mail, not once per part.
         */
        @Test
        void aMailAsksForEachJobsNameOnceForItsSubjectTextAndHtmlTogether() {
            AtomicInteger asked = new AtomicInteger();
            EmailDigest counting = new EmailDigest(id -> {
                asked.incrementAndGet();
                return JOB_NAMES.apply(id);
            });

            EmailDigest.Mail mail = counting.mail(PREFIX, fiveFailuresOfThreeJobs());

            assertThat(asked).as("three jobs: three names asked for the whole mail").hasValue(3);
            assertThat(mail.subject()).isEqualTo(digest.subject(PREFIX, fiveFailuresOfThreeJobs()));
            assertThat(mail.text()).isEqualTo(digest.text(fiveFailuresOfThreeJobs()));
            assertThat(mail.html()).isEqualTo(digest.html(fiveFailuresOfThreeJobs()));
        }

        @Test
        void theJobIdsToNameAreThoseTheDigestGroupsBy() {
            List<Alert> alerts = List.of(alert(1, 174, "2024-04-10T10:10:00Z"), alert(2, " 174 ", "2024-04-10T10:10:00Z"),
                    alert(3, "abc", "2024-04-10T10:10:00Z"), alert(4, null, "2024-04-10T10:10:00Z"));

            assertThat(EmailDigest.jobIds(alerts)).containsExactlyInAnyOrder("174", "abc");
        }

        @Test
        void nothingToRenderIsRefused() {
            assertThatThrownBy(() -> digest.text(List.of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> digest.html(List.of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> digest.subject(PREFIX, List.of())).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** A digest with more failures than it may list (sink.email.max-rows). */
    @Nested
    class Cut {

        private final EmailDigest listingTwo = new EmailDigest(JOB_NAMES, 2, List.of("file", "kafka"));

        @Test
        void listsTheFirstFailuresItIsGivenAndCountsEveryOneOfEachJob() {
            // 174 fails three times, 9 and 10 once; the first two given are 10's and one of 174's
            List<Alert> alerts = fiveFailuresOfThreeJobs();

            String text = listingTwo.text(alerts);

            assertThat(text).contains("Monitor 'default': 3 jobs failed, 5 failed executions.")
                    .contains("The first 2 are listed; and 3 more, see the file and kafka sinks.")
                    .contains("== Feed import (job 174): 3 failed executions ==")
                    .contains("== Nightly export (job 9): 1 failed execution ==")
                    .contains("== Report builder (job 10): 1 failed execution ==")
                    .contains("failure 1005").contains("failure 1003")
                    .doesNotContain("failure 1001").doesNotContain("failure 1004").doesNotContain("failure 1002")
                    .contains("And 2 more of this job, not listed here.");
            assertThat(listingTwo.subject(PREFIX, alerts)).contains("3 jobs failed: 5 failed executions");
        }

        @Test
        void aJobWithNoListedFailureStillHasItsHeadingAndCount() {
            String html = listingTwo.html(fiveFailuresOfThreeJobs());

            assertThat(html).contains("Nightly export (job 9)").contains("1 failed execution<")
                    .contains("Not listed here.")
                    .contains("The first 2 are listed; and 3 more, see the file and kafka sinks.");
            assertThat(html.split("<table", -1)).as("tables: the jobs with a listed failure").hasSize(1 + 2);
        }

        @Test
        void withoutAnotherSinkItSaysWhyTheRestIsNotListed() {
            String text = new EmailDigest(JOB_NAMES, 4, List.of()).text(fiveFailuresOfThreeJobs());

            assertThat(text).contains("The first 4 are listed; and 1 more, not listed here (sink.email.max-rows).");
        }

        @Test
        void aDigestWithinTheLimitSaysNothingOfOne() {
            String text = new EmailDigest(JOB_NAMES, 5, List.of("file")).text(fiveFailuresOfThreeJobs());

            assertThat(text).doesNotContain("listed").doesNotContain("more");
        }
    }

    /** A "job recovered" notice as the monitor sends it (JobRecoveries): a section of its own in the digest. */
    static Alert recovered(long jobId, String completedTime, int failures) {
        ObjectNode fields = JSON.createObjectNode()
                .put("notice", "Job " + jobId + " recovered").put("status", "JobRecovered").put("noticeTime", completedTime)
                .put("jobId", jobId).put("firstFailure", "2024-04-10T10:10:00Z").put("lastFailure", "2024-04-10T10:30:00Z")
                .put("failureCount", failures).put("completedExecutionId", 2001).put("completedTime", completedTime)
                .put("exitMessage", "completed at " + completedTime);
        FailedExecution execution = new FailedExecution(fields);
        Instant at = Instant.parse(completedTime);
        return new Alert(execution, "job-recovered-" + jobId + "-2001", at,
                AlertDocument.render(execution, "default", "https://tc.example/api", at), Set.of("email"), "default");
    }

    @Nested
    class Recovered {

        @Test
        void recoveredJobsHaveASectionAfterTheFailuresAndAreCounted() {
            List<Alert> alerts = new ArrayList<>(fiveFailuresOfThreeJobs());
            alerts.add(recovered(174, "2024-04-10T11:00:00Z", 3));

            EmailDigest.Mail mail = digest.mail(PREFIX, alerts);

            assertThat(mail.subject()).isEqualTo("[TC] 3 jobs failed: 5 failed executions; 1 job recovered on monitor 'default'");
            assertThat(mail.text()).contains("3 jobs failed, 5 failed executions, 1 job recovered.")
                    .containsSubsequence("== Report builder (job 10): 1 failed execution ==", "== Recovered: 1 job ==",
                            "Feed import (job 174)", "Completed at: 2024-04-10T11:00:00Z (execution 2001)",
                            "Failures:     3, from 2024-04-10T10:10:00Z to 2024-04-10T10:30:00Z")
                    .doesNotContain("Unknown job");
            assertThat(mail.html()).containsSubsequence("Report builder (job 10)", ">Recovered <", "Feed import (job 174)",
                    "2024-04-10T11:00:00Z (execution 2001)", "3, from 2024-04-10T10:10:00Z to 2024-04-10T10:30:00Z");
        }

        @Test
        void aMailOfRecoveredJobsOnlySaysWhichJobRecovered() {
            assertThat(digest.subject(PREFIX, List.of(recovered(174, "2024-04-10T11:00:00Z", 3))))
                    .isEqualTo("[TC] Job \"Feed import\" recovered on monitor 'default'");
            List<Alert> two = List.of(recovered(174, "2024-04-10T11:00:00Z", 3), recovered(9, "2024-04-10T11:05:00Z", 1));
            assertThat(digest.subject(PREFIX, two)).isEqualTo("[TC] 2 jobs recovered on monitor 'default'");
            assertThat(digest.text(two)).startsWith("Monitor 'default': 2 jobs recovered.").contains("Nightly export (job 9)");
        }
    }

    /**
     * The on-call reader learns what a silence kept from the mailbox: which silence (its line in
     * silences.yaml), how many failures, of what, by whom, why and until when; the operators'
     * words are text in both parts, never markup.
     */
    @Nested
    class Silenced {

        private final EmailDigest.Silenced vendorOutage = new EmailDigest.Silenced(2, java.util.Optional.of("7"),
                java.util.Optional.empty(), "alice", "feed vendor <b>outage</b>", Instant.parse("2026-12-02T08:00:00Z"), 3);
        private final EmailDigest.Silenced timeouts = new EmailDigest.Silenced(9, java.util.Optional.empty(),
                java.util.Optional.of("vendor timeout"), "bob", "known", Instant.parse("2026-12-01T00:00:00Z"), 1);

        @Test
        void aDigestSaysWhichSilencesHidFailuresFromItAfterTheJobs() {
            EmailDigest.Mail mail = new EmailDigest(JOB_NAMES).withSilenced(List.of(vendorOutage, timeouts))
                    .mail(PREFIX, fiveFailuresOfThreeJobs());

            assertThat(mail.text()).containsSubsequence("Feed import (job 174)", "== Silenced ==",
                    "3 failures of job 7 hidden by the silence at line 2 (alice: feed vendor <b>outage</b>) until 2026-12-02T08:00:00Z",
                    "1 failure of any job with an exit message containing \"vendor timeout\" hidden by the silence at line 9"
                            + " (bob: known) until 2026-12-01T00:00:00Z");
            assertThat(mail.html()).containsSubsequence("Report builder (job 10)", "Silenced",
                    "3 failures of job 7 hidden by the silence at line 2 (alice: feed vendor &lt;b&gt;outage&lt;/b&gt;)")
                    .doesNotContain("<b>outage");
        }

        @Test
        void withoutSilencesADigestHasNoSilencedSection() {
            EmailDigest.Mail mail = new EmailDigest(JOB_NAMES).mail(PREFIX, fiveFailuresOfThreeJobs());

            assertThat(mail.text()).doesNotContain("Silenced");
            assertThat(mail.html()).doesNotContain("Silenced");
        }
    }
}
