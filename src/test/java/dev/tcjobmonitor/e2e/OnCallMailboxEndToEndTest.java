package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Mails;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.ManualClock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the on-call mailbox gets (README "For the on-call reader"): the email sink's digest, on a
 * real SMTP server (GreenMail), with and without {@code sink.email.repeat-interval}. The monitor's
 * clock is moved by hand through the simulated hours; the failures are the simulator's, over HTTP.
 */
class OnCallMailboxEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    private GreenMail smtp() {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());
        monitors.closeLast(smtp::stop);
        smtp.start();
        return smtp;
    }

    /** The email sink alone, in its default digest mode, with this repeat interval (empty: none). */
    private MonitorHarness mailingMonitor(String folder, GreenMail smtp, String repeatInterval, ManualClock clock) throws Exception {
        MonitorHarness h = monitors.harness(folder)
                .set("sinks", "email")
                .set("sink.email.host", "127.0.0.1")
                .set("sink.email.port", String.valueOf(smtp.getSmtp().getPort()))
                .set("sink.email.from", "monitor@example.org")
                .set("sink.email.to", "oncall@example.org")
                .set("sink.email.max-redeliveries", "0")
                .set("sink.email.repeat-interval", repeatInterval);
        h.simulator.addJob(174, "Feed import", "Feed import");
        h.start();
        h.monitor("default").setClock(clock);
        return h;
    }

    @Test
    void theDigestShowsAJobsFirstFailureItsHeldRepeatsAndLaterItsReminder() throws Exception {
        GreenMail smtp = smtp();
        ManualClock clock = new ManualClock(Instant.now().minus(Duration.ofHours(6)).truncatedTo(ChronoUnit.SECONDS));
        MonitorHarness h = mailingMonitor("monitor", smtp, "PT1H", clock);
        Instant t0 = clock.instant();
        h.simulator.addFailed(174, t0.minusSeconds(30), "Failed for status (503)\n");
        h.poll();
        assertThat(subjects(smtp)).containsExactly("[ThreatConnect] Job \"Feed import\" failed on monitor 'default'");

        // a repeat of 174 is held; job 8's first failure goes at once, and the digest says what was held
        clock.advance(Duration.ofMinutes(15));
        h.simulator.addFailed(174, clock.instant().minusSeconds(30), "Failed for status (503) again\n");
        h.simulator.addFailed(8, clock.instant().minusSeconds(20), "job 8 broke\n");
        Poll poll = h.poll();
        assertThat(poll.heldBySink()).containsEntry("email", 1);
        assertThat(subjects(smtp)).hasSize(2).last().isEqualTo("[ThreatConnect] 2 jobs failed: 1 failed execution, 1 held for reminders"
                + " on monitor 'default'");
        assertThat(Mails.text(smtp.getReceivedMessages()[1])).contains("job 8 broke")
                .doesNotContain("Failed for status (503) again")
                .contains("1 more failure held for a reminder due " + t0.plus(Duration.ofHours(1)));

        // a quarter of an hour later another repeat, held without a mail
        clock.advance(Duration.ofMinutes(15));
        h.simulator.addFailed(174, clock.instant().minusSeconds(30), "Failed for status (502)\n");
        h.poll();
        assertThat(smtp.getReceivedMessages()).hasSize(2);

        // the interval's end: one reminder
        clock.advance(Duration.ofMinutes(30));
        h.poll();
        assertThat(subjects(smtp)).hasSize(3).last().isEqualTo("[ThreatConnect] Job \"Feed import\" still failing: 2 more failures"
                + " since " + t0 + " on monitor 'default'");
        assertThat(Mails.text(smtp.getReceivedMessages()[2])).contains("Feed import (job 174): still failing")
                .contains("Failed 2 more times since " + t0).contains("Failed for status (502)");
    }

    /**
     * The README's broken weekend: a feed import failing every 15 minutes from Friday 18:00 to
     * Monday 08:00 (249 failures), a poll after each. Without a repeat interval every failure is a
     * mail of its own; with PT4H, the first one and a reminder every 4 hours.
     */
    @Test
    void aBrokenWeekendMailsEveryFailureWithoutARepeatIntervalAndAHandfulWithPT4H() throws Exception {
        LocalDate friday = LocalDate.now(ZoneOffset.UTC).minusDays(7).with(TemporalAdjusters.previousOrSame(DayOfWeek.FRIDAY));
        Instant start = friday.atTime(18, 0).toInstant(ZoneOffset.UTC);
        Instant end = start.plus(Duration.ofHours(62));

        List<String> before = weekend("before", "", start, end);
        List<String> after = weekend("after", "PT4H", start, end);

        assertThat(before).hasSize(249);
        // the first failure at once, then a reminder every four hours (Fri 22:01 ... Mon 06:01), each
        // counting the 16 failures held since the last mail; Monday's last 8 wait for the 10:01 one
        assertThat(after).hasSize(16);
        assertThat(after.get(0)).isEqualTo("[ThreatConnect] Job \"Feed import\" failed on monitor 'default'");
        for (int i = 1; i < after.size(); i++) {
            Instant since = start.plusSeconds(60).plus(Duration.ofHours(4L * (i - 1)));
            assertThat(after.get(i)).isEqualTo("[ThreatConnect] Job \"Feed import\" still failing: 16 more failures since "
                    + since + " on monitor 'default'");
        }
    }

    /** The subjects of the mails the weekend sent, in order. */
    private List<String> weekend(String folder, String repeatInterval, Instant start, Instant end) throws Exception {
        GreenMail smtp = smtp();
        ManualClock clock = new ManualClock(start);
        MonitorHarness h = mailingMonitor(folder, smtp, repeatInterval, clock);
        for (Instant failure = start; !failure.isAfter(end); failure = failure.plus(Duration.ofMinutes(15))) {
            h.simulator.addFailed(174, failure, "Failed for status (503): feed vendor unreachable\n");
            // the poll a minute after each failure (the default cron polls every 5 minutes)
            clock.advance(Duration.between(clock.instant(), failure.plusSeconds(60)));
            assertThat(h.poll().failure()).isEmpty();
        }
        List<String> mails = subjects(smtp);
        h.close();
        return mails;
    }

    private static List<String> subjects(GreenMail smtp) {
        return Arrays.stream(smtp.getReceivedMessages()).map(mail -> {
            try {
                return mail.getSubject();
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
