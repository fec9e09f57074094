package dev.tcjobmonitor.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The state of monitors that share one PostgreSQL (several nodes, one of which polls at a time):
 * whichever node polls next continues from the watermark and delivered ids the last one left.
 * The schema ({@code db/tc-job-monitor-postgres.sql}) is created idempotently at start.
 */
public final class JdbcStateStore implements MonitorStateStore {

    public static final String SCHEMA = "db/tc-job-monitor-postgres.sql";

    private final DataSource dataSource;
    private final FailingJobs failingJobs;

    public JdbcStateStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.failingJobs = new FailingJobsTable(dataSource);
    }

    @Override
    public FailingJobs failingJobs() {
        return failingJobs;
    }

    /** Creates our tables and Quartz's where missing. */
    public void createSchema() {
        try (InputStream in = JdbcStateStore.class.getClassLoader().getResourceAsStream(SCHEMA);
             Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement()) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA + " is missing from the classpath");
            }
            String ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
            for (String sql : ddl.split(";")) {
                if (!sql.isBlank()) {
                    statement.execute(sql);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new StateStoreException("cannot create the schema in PostgreSQL", e);
        }
    }

    /**
     * A failed query as one line. A query the database did not answer (the connection's socket
     * timeout, ClusterDatabase) says so and names the setting, rather than the bare socket error
     * at the root of the chain; the driver's exception stays attached, suppressed, for DEBUG.
     */
    static StateStoreException failure(SQLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.SocketTimeoutException) {
                StateStoreException timeout = new StateStoreException("PostgreSQL state store: the query timed out,"
                        + " no answer from the database within monitor.cluster.socket-timeout-ms", null);
                timeout.addSuppressed(e);
                return timeout;
            }
        }
        return new StateStoreException("PostgreSQL state store: " + e.getMessage(), e);
    }

    @Override
    public Optional<Instant> watermark(String monitor) {
        return query("SELECT WATERMARK FROM TC_MONITOR_WATERMARK WHERE MONITOR = ?", statement -> {
            statement.setString(1, monitor);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getTimestamp(1).toInstant()) : Optional.<Instant>empty();
            }
        });
    }

    @Override
    public void saveWatermark(String monitor, Instant watermark) {
        query("INSERT INTO TC_MONITOR_WATERMARK (MONITOR, WATERMARK) VALUES (?, ?)"
                + " ON CONFLICT (MONITOR) DO UPDATE SET WATERMARK = EXCLUDED.WATERMARK", statement -> {
            statement.setString(1, monitor);
            statement.setTimestamp(2, Timestamp.from(watermark));
            return statement.executeUpdate();
        });
    }

    @Override
    public Optional<Instant> forgottenBefore(String monitor) {
        return query("SELECT FORGOTTEN_BEFORE FROM TC_MONITOR_FORGOTTEN WHERE MONITOR = ?", statement -> {
            statement.setString(1, monitor);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getTimestamp(1).toInstant()) : Optional.<Instant>empty();
            }
        });
    }

    @Override
    public boolean isDelivered(String monitor, String sink, String executionKey) {
        return query("SELECT 1 FROM TC_MONITOR_DELIVERED WHERE MONITOR = ? AND SINK = ? AND EXECUTION_KEY = ?", statement -> {
            statement.setString(1, monitor);
            statement.setString(2, sink);
            statement.setString(3, executionKey);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        });
    }

    /** One batch in one transaction: a page's deliveries cost one round trip, not one per alert. */
    @Override
    public void recordDelivered(String monitor, String sink, List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        JdbcTransaction.run(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO TC_MONITOR_DELIVERED"
                    + " (MONITOR, SINK, EXECUTION_KEY, EVENT_TIME) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (Delivery delivery : deliveries) {
                    statement.setString(1, monitor);
                    statement.setString(2, sink);
                    statement.setString(3, delivery.executionKey());
                    statement.setTimestamp(4, Timestamp.from(delivery.eventTime()));
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        });
    }

    /**
     * Deletes the rows of executions that failed before {@code cutoff} (an index on the time makes
     * that cheap at every poll) and, when there were any, moves the monitor's forgotten-before to
     * the cutoff (never back): one statement, so both happen or neither.
     */
    @Override
    public void forgetDeliveredBefore(String monitor, Instant cutoff) {
        query("WITH forgotten AS (DELETE FROM TC_MONITOR_DELIVERED WHERE MONITOR = ? AND EVENT_TIME < ? RETURNING 1)"
                + " INSERT INTO TC_MONITOR_FORGOTTEN (MONITOR, FORGOTTEN_BEFORE)"
                + " SELECT ?, ? WHERE EXISTS (SELECT 1 FROM forgotten)"
                + " ON CONFLICT (MONITOR) DO UPDATE SET FORGOTTEN_BEFORE ="
                + " GREATEST(TC_MONITOR_FORGOTTEN.FORGOTTEN_BEFORE, EXCLUDED.FORGOTTEN_BEFORE)", statement -> {
            statement.setString(1, monitor);
            statement.setTimestamp(2, Timestamp.from(cutoff));
            statement.setString(3, monitor);
            statement.setTimestamp(4, Timestamp.from(cutoff));
            return statement.executeUpdate();
        });
    }

    /**
     * One statement: the keys not refused before get {@code now}, and every key's first refusal is
     * read back (a key another node added meanwhile, unseen by this statement, gets {@code now}).
     */
    @Override
    public Map<String, Instant> refusedSince(String monitor, String sink, List<String> executionKeys, Instant now) {
        Map<String, Instant> since = new HashMap<>();
        if (executionKeys.isEmpty()) {
            return since;
        }
        // ON CONFLICT cannot meet one key twice in a statement
        Object[] keys = new LinkedHashSet<>(executionKeys).toArray();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("WITH added AS ("
                     + "INSERT INTO TC_MONITOR_REFUSED (MONITOR, SINK, EXECUTION_KEY, FIRST_REFUSED)"
                     + " SELECT ?, ?, U.KEY_TEXT, ? FROM UNNEST(?::VARCHAR[]) AS U(KEY_TEXT) ON CONFLICT DO NOTHING"
                     + " RETURNING EXECUTION_KEY, FIRST_REFUSED)"
                     + " SELECT EXECUTION_KEY, FIRST_REFUSED FROM added UNION ALL"
                     + " SELECT EXECUTION_KEY, FIRST_REFUSED FROM TC_MONITOR_REFUSED"
                     + " WHERE MONITOR = ? AND SINK = ? AND EXECUTION_KEY = ANY(?::VARCHAR[])")) {
            java.sql.Array array = connection.createArrayOf("varchar", keys);
            statement.setString(1, monitor);
            statement.setString(2, sink);
            statement.setTimestamp(3, Timestamp.from(now));
            statement.setArray(4, array);
            statement.setString(5, monitor);
            statement.setString(6, sink);
            statement.setArray(7, array);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    since.put(rows.getString(1), rows.getTimestamp(2).toInstant());
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        executionKeys.forEach(key -> since.putIfAbsent(key, now));
        return since;
    }

    @Override
    public void forgetRefusals(String monitor, Instant cutoff) {
        query("DELETE FROM TC_MONITOR_REFUSED r WHERE r.MONITOR = ? AND (r.FIRST_REFUSED < ? OR EXISTS ("
                + "SELECT 1 FROM TC_MONITOR_DELIVERED d"
                + " WHERE d.MONITOR = r.MONITOR AND d.SINK = r.SINK AND d.EXECUTION_KEY = r.EXECUTION_KEY))", statement -> {
            statement.setString(1, monitor);
            statement.setTimestamp(2, Timestamp.from(cutoff));
            return statement.executeUpdate();
        });
    }

    private interface Work<T> {
        T run(PreparedStatement statement) throws SQLException;
    }

    private <T> T query(String sql, Work<T> work) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            return work.run(statement);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public String toString() {
        return "JdbcStateStore";
    }
}
