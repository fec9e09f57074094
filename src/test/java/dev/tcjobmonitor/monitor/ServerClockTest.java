package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How ThreatConnect's {@code Date} header bounds a poll's window end and measures the skew. */
class ServerClockTest {

    private static final Instant T = Instant.parse("2024-04-10T12:00:00Z");
    /** {@code T} as an HTTP Date header says it. */
    private static final String DATE_T = "Wed, 10 Apr 2024 12:00:00 GMT";
    private static final Duration OVERLAP = Duration.ofMinutes(10);

    private final ServerClock serverClock = new ServerClock("m1", OVERLAP);

    private static Poll pollEndingAt(Instant hostNow) {
        return new Poll(null, hostNow.minus(OVERLAP), hostNow, null);
    }

    @Test
    void aWindowEndWithinTheDatesSecondIsKept() {
        // the Date has whole seconds: a host clock that is right can read up to a second past it
        Poll poll = pollEndingAt(T.plusSeconds(1));

        serverClock.answered(poll, DATE_T, T.plusMillis(1_900));

        assertThat(poll.windowEnd()).isEqualTo(T.plusSeconds(1));
        assertThat(poll.clockSkewBeyondLimit()).isFalse();
    }

    @Test
    void aWindowEndPastThreatConnectsTimeIsHeldToItPlusTheTolerance() {
        Poll poll = pollEndingAt(T.plus(Duration.ofMinutes(2)));

        serverClock.answered(poll, DATE_T, T.plus(Duration.ofMinutes(2)));

        assertThat(poll.windowEnd()).isEqualTo(T.plus(ServerClock.TOLERANCE));
        assertThat(poll.openedAt()).isEqualTo(T.plus(Duration.ofMinutes(2)));
        // two minutes is within half the overlap: clamped, not worth a word
        assertThat(poll.clockSkew()).contains(Duration.ofMinutes(2));
        assertThat(poll.clockSkewBeyondLimit()).isFalse();
    }

    @Test
    void aClockBehindKeepsItsWindowEndButItsSkewIsMeasured() {
        Instant hostNow = T.minus(Duration.ofHours(1));
        Poll poll = pollEndingAt(hostNow);

        serverClock.answered(poll, DATE_T, hostNow);

        // a window that ends early loses nothing: the next one reaches back over the rest
        assertThat(poll.windowEnd()).isEqualTo(hostNow);
        assertThat(poll.clockSkew()).contains(Duration.ofHours(-1));
        assertThat(poll.clockSkewBeyondLimit()).isTrue();
    }

    @Test
    void anAnswerWithoutAReadableDateChangesNothing() {
        Poll poll = pollEndingAt(T.plus(Duration.ofHours(3)));

        serverClock.answered(poll, null, T.plus(Duration.ofHours(3)));
        serverClock.answered(poll, "yesterday", T.plus(Duration.ofHours(3)));

        assertThat(poll.windowEnd()).isEqualTo(T.plus(Duration.ofHours(3)));
        assertThat(poll.clockSkew()).isEmpty();
    }
}
