package dev.tcjobmonitor.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The failing sets of the cluster's PostgreSQL: table {@code TC_MONITOR_FAILING_JOB}
 * ({@code db/tc-job-monitor-postgres.sql}), one row per monitor, sink and job, shared by the
 * nodes as the delivered ids are.
 */
final class FailingJobsTable implements FailingJobs {

    private final DataSource dataSource;

    FailingJobsTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One batch in one transaction; the failures of one job are added up first. */
    @Override
    public void failed(String monitor, String sink, List<Failure> failures) {
        if (failures.isEmpty()) {
            return;
        }
        Map<Long, FailingJob> byJob = new LinkedHashMap<>();
        for (Failure failure : failures) {
            byJob.merge(failure.jobId(), new FailingJob(sink, failure.jobId(), failure.failedAt(), failure.failedAt(), 1),
                    FailingJobsFile::add);
        }
        JdbcTransaction.run(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO TC_MONITOR_FAILING_JOB"
                    + " (MONITOR, SINK, JOB_ID, FIRST_FAILURE, LAST_FAILURE, FAILURES) VALUES (?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (MONITOR, SINK, JOB_ID) DO UPDATE SET"
                    + " FIRST_FAILURE = LEAST(TC_MONITOR_FAILING_JOB.FIRST_FAILURE, EXCLUDED.FIRST_FAILURE),"
                    + " LAST_FAILURE = GREATEST(TC_MONITOR_FAILING_JOB.LAST_FAILURE, EXCLUDED.LAST_FAILURE),"
                    + " FAILURES = TC_MONITOR_FAILING_JOB.FAILURES + EXCLUDED.FAILURES")) {
                for (FailingJob job : byJob.values()) {
                    statement.setString(1, monitor);
                    statement.setString(2, sink);
                    statement.setLong(3, job.jobId());
                    statement.setTimestamp(4, Timestamp.from(job.firstFailure()));
                    statement.setTimestamp(5, Timestamp.from(job.lastFailure()));
                    statement.setInt(6, job.failures());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        });
    }

    @Override
    public List<FailingJob> failing(String monitor) {
        List<FailingJob> jobs = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT SINK, JOB_ID, FIRST_FAILURE, LAST_FAILURE,"
                     + " FAILURES FROM TC_MONITOR_FAILING_JOB WHERE MONITOR = ? ORDER BY SINK, JOB_ID")) {
            statement.setString(1, monitor);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    jobs.add(new FailingJob(rows.getString(1), rows.getLong(2), rows.getTimestamp(3).toInstant(),
                            rows.getTimestamp(4).toInstant(), rows.getInt(5)));
                }
            }
        } catch (SQLException e) {
            throw JdbcStateStore.failure(e);
        }
        return jobs;
    }

    @Override
    public void recovered(String monitor, String sink, long jobId, Instant lastFailure) {
        update("DELETE FROM TC_MONITOR_FAILING_JOB WHERE MONITOR = ? AND SINK = ? AND JOB_ID = ? AND LAST_FAILURE <= ?",
                statement -> {
                    statement.setString(1, monitor);
                    statement.setString(2, sink);
                    statement.setLong(3, jobId);
                    statement.setTimestamp(4, Timestamp.from(lastFailure));
                });
    }

    @Override
    public void forgetBefore(String monitor, Instant cutoff) {
        update("DELETE FROM TC_MONITOR_FAILING_JOB WHERE MONITOR = ? AND LAST_FAILURE < ?", statement -> {
            statement.setString(1, monitor);
            statement.setTimestamp(2, Timestamp.from(cutoff));
        });
    }

    private interface Parameters {
        void set(PreparedStatement statement) throws SQLException;
    }

    private void update(String sql, Parameters parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            parameters.set(statement);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw JdbcStateStore.failure(e);
        }
    }
}
