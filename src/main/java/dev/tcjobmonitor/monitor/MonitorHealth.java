package dev.tcjobmonitor.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** One monitor's sight of ThreatConnect, kept by {@link PollHistory}. */
public final class MonitorHealth {

    /**
     * @param up                  false when the monitor is blind
     * @param reason              why it is blind (empty when up)
     * @param lastGoodPoll        end of the last successful poll, if any
     * @param failedPollsInARow   polls that failed since the last good one
     * @param clockSkew           this host's clock minus ThreatConnect's, when last measured beyond
     *                            half of {@code monitor.overlap} (window ends are held to
     *                            ThreatConnect's time: the monitor loses nothing, so it stays up)
     */
    public record Verdict(boolean up, String reason, Optional<Instant> lastGoodPoll, int failedPollsInARow,
                          Optional<String> lastError, Optional<Duration> clockSkew) {
    }

    private final HealthRules rules;
    private final Instant startedAt;
    private Instant lastGoodPoll;
    private int failedInARow;
    private String lastError;
    private Duration clockSkew;
    private boolean blind;

    MonitorHealth(HealthRules rules, Instant startedAt) {
        this.rules = rules;
        this.startedAt = startedAt;
    }

    /**
     * @param sharedLastGoodPoll the last good poll of any node sharing this monitor's state (its
     *                           watermark), if known
     */
    PollHistory.Change record(Poll poll, Instant at, Optional<Instant> sharedLastGoodPoll) {
        if (poll.failure().isEmpty()) {
            lastGoodPoll = at;
            failedInARow = 0;
            lastError = null;
        } else {
            failedInARow++;
            lastError = poll.failure().get();
        }
        // a poll that got no answer from ThreatConnect leaves the last measure as it was
        poll.clockSkew().ifPresent(skew -> clockSkew = poll.clockSkewBeyondLimit() ? skew : null);
        boolean nowBlind = !verdict(at, sharedLastGoodPoll).up();
        PollHistory.Change change = nowBlind == blind ? PollHistory.Change.NONE
                : nowBlind ? PollHistory.Change.WENT_BLIND : PollHistory.Change.RECOVERED;
        blind = nowBlind;
        return change;
    }

    Verdict verdict(Instant now, Optional<Instant> sharedLastGoodPoll) {
        // in a cluster, another node may be the one polling: its good polls count for this one too
        Instant lastGood = sharedLastGoodPoll
                .filter(shared -> lastGoodPoll == null || shared.isAfter(lastGoodPoll)).orElse(lastGoodPoll);
        Instant reference = lastGood == null ? startedAt : lastGood;
        Duration age = Duration.between(reference, now);
        String reason = "";
        if (failedInARow >= rules.maxFailedPolls()) {
            reason = failedInARow + " polls in a row failed";
        } else if (age.compareTo(rules.maxPollAge()) > 0) {
            reason = (lastGood == null ? "no good poll since the start " : "the last good poll was ")
                    + age.toSeconds() + " s ago (more than " + rules.maxPollAge().toSeconds() + " s)";
        }
        return new Verdict(reason.isEmpty(), reason, Optional.ofNullable(lastGood), failedInARow,
                Optional.ofNullable(lastError), Optional.ofNullable(clockSkew));
    }
}
