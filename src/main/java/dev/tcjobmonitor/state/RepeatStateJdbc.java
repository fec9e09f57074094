package dev.tcjobmonitor.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * {@link RepeatState} in the cluster's PostgreSQL: {@code TC_MONITOR_REPEAT} (one row per monitor,
 * sink and job: when its interval began, which failure opened it) and {@code TC_MONITOR_HELD} (one
 * row per held failure, until a reminder that counted it is accepted). Each call is one
 * transaction; read anew at every poll, as whichever node polls next continues.
 */
public final class RepeatStateJdbc implements RepeatState {

    private final DataSource dataSource;

    public RepeatStateJdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Map<String, JobRepeats> jobs(String monitor, String sink) {
        Map<String, Instant> since = new LinkedHashMap<>();
        Map<String, String> openers = new LinkedHashMap<>();
        Map<String, List<HeldFailure>> held = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT JOB, SINCE, OPENER FROM TC_MONITOR_REPEAT WHERE MONITOR = ? AND SINK = ?")) {
                statement.setString(1, monitor);
                statement.setString(2, sink);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        since.put(rows.getString(1), rows.getTimestamp(2).toInstant());
                        openers.put(rows.getString(1), rows.getString(3));
                    }
                }
            }
            try (PreparedStatement statement = connection.prepareStatement("SELECT JOB, EXECUTION_KEY, EXECUTION_ID,"
                    + " FAILED_TIME, EXIT_MESSAGE FROM TC_MONITOR_HELD WHERE MONITOR = ? AND SINK = ? ORDER BY HELD_ORDER")) {
                statement.setString(1, monitor);
                statement.setString(2, sink);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        held.computeIfAbsent(rows.getString(1), job -> new ArrayList<>()).add(new HeldFailure(rows.getString(2),
                                rows.getString(3), rows.getTimestamp(4).toInstant(), rows.getString(5)));
                    }
                }
            }
        } catch (SQLException e) {
            throw JdbcStateStore.failure(e);
        }
        Map<String, JobRepeats> jobs = new LinkedHashMap<>();
        since.forEach((job, start) -> jobs.put(job, new JobRepeats(job, start, openers.get(job), List.copyOf(held.getOrDefault(job, List.of())))));
        held.forEach((job, failures) -> jobs.putIfAbsent(job, new JobRepeats(job, Instant.EPOCH, null, List.copyOf(failures))));
        return jobs;
    }

    @Override
    public void opened(String monitor, String sink, String job, Instant since, String opener) {
        transaction(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO TC_MONITOR_REPEAT"
                    + " (MONITOR, SINK, JOB, SINCE, OPENER) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT (MONITOR, SINK, JOB) DO UPDATE SET SINCE = EXCLUDED.SINCE, OPENER = EXCLUDED.OPENER")) {
                statement.setString(1, monitor);
                statement.setString(2, sink);
                statement.setString(3, job);
                statement.setTimestamp(4, Timestamp.from(since));
                statement.setString(5, opener);
                statement.executeUpdate();
            }
        });
    }

    @Override
    public void held(String monitor, String sink, String job, List<HeldFailure> failures) {
        if (failures.isEmpty()) {
            return;
        }
        transaction(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO TC_MONITOR_HELD"
                    + " (MONITOR, SINK, JOB, EXECUTION_KEY, EXECUTION_ID, FAILED_TIME, EXIT_MESSAGE) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT DO NOTHING")) {
                for (HeldFailure failure : failures) {
                    statement.setString(1, monitor);
                    statement.setString(2, sink);
                    statement.setString(3, job);
                    statement.setString(4, failure.key());
                    statement.setString(5, failure.executionId());
                    statement.setTimestamp(6, Timestamp.from(failure.failedTime()));
                    statement.setString(7, failure.exitMessage());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        });
    }

    @Override
    public void reminded(String monitor, String sink, String job, Collection<String> covered, Instant since) {
        transaction(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM TC_MONITOR_HELD"
                    + " WHERE MONITOR = ? AND SINK = ? AND EXECUTION_KEY = ANY(?::VARCHAR[])")) {
                statement.setString(1, monitor);
                statement.setString(2, sink);
                statement.setArray(3, connection.createArrayOf("varchar", covered.toArray()));
                statement.executeUpdate();
            }
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO TC_MONITOR_REPEAT"
                    + " (MONITOR, SINK, JOB, SINCE, OPENER) VALUES (?, ?, ?, ?, NULL)"
                    + " ON CONFLICT (MONITOR, SINK, JOB) DO UPDATE SET SINCE = EXCLUDED.SINCE, OPENER = NULL")) {
                statement.setString(1, monitor);
                statement.setString(2, sink);
                statement.setString(3, job);
                statement.setTimestamp(4, Timestamp.from(since));
                statement.executeUpdate();
            }
        });
    }

    private void transaction(JdbcTransaction.Work work) {
        JdbcTransaction.run(dataSource, work);
    }
}
