package dev.tcjobmonitor.state;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a sink with a repeat interval ({@code sink.<name>.repeat-interval}) remembers per job: when
 * its interval began (the job's first failure sent, or its last reminder accepted), which failure
 * opened it, and the failures held since for the next reminder. A held failure is owed to the sink
 * until a reminder that counts it is accepted or dead-lettered: it is recorded here, durably,
 * before it is recorded as delivered. Files ({@link RepeatStateFile}) or PostgreSQL
 * ({@link RepeatStateJdbc}), like the rest of the state.
 */
public interface RepeatState {

    /** A failure held for a reminder: its delivery key, ThreatConnect's id, time and exit message as sent. */
    record HeldFailure(String key, String executionId, Instant failedTime, String exitMessage) {
    }

    /**
     * One job's interval for one sink.
     *
     * @param opener the key of the failure that opened it (sent at once, offered again until the sink has it), or null
     * @param held   the failures held since, in the order they were held
     */
    record JobRepeats(String job, Instant since, String opener, List<HeldFailure> held) {
    }

    /** Every job of the sink with an interval (running or over), by job id. */
    Map<String, JobRepeats> jobs(String monitor, String sink);

    /** A failure of {@code job} was sent at once: its interval begins at {@code since}, nothing held. */
    void opened(String monitor, String sink, String job, Instant since, String opener);

    /** Holds these failures of {@code job} for its reminder; on the disk (or committed) when this returns. */
    void held(String monitor, String sink, String job, List<HeldFailure> failures);

    /**
     * The sink has the reminder that counted {@code covered} (accepted or dead-lettered): they are
     * no longer owed, and the job's next interval begins at {@code since}.
     */
    void reminded(String monitor, String sink, String job, Collection<String> covered, Instant since);
}
