package dev.tcjobmonitor.state;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's {@link PollLock}: a PostgreSQL session-level advisory lock whose key is derived
 * from the monitor's name, held on a connection of its own for as long as the poll lasts. Every
 * process that polls a monitor on the shared database (each daemon node's cron fire, and a
 * {@code --once}, {@code --since} or {@code --dry-run} beside them) takes it first, so only one
 * polls at a time. PostgreSQL frees it when that connection ends, however the process ends: at
 * once when it exits or is killed, and within about 30 s when its host vanishes (the session asks
 * the server for TCP keepalives every 10 s).
 */
final class AdvisoryPollLock implements PollLock {

    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryPollLock.class);
    /** What the session calls itself in pg_stat_activity: how another process names the holder. */
    private static final String APPLICATION_NAME = applicationName();

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final long key;
    private Connection connection;
    private boolean held;

    /** @param jdbcUrl with the cluster's timeouts ({@link ClusterDatabase#withTimeouts}) */
    AdvisoryPollLock(String jdbcUrl, String user, String password, String monitor) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.key = key(monitor);
    }

    /** The lock's key: 64 bits of SHA-256 of the monitor's name, in a namespace of our own. */
    static long key(String monitor) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("tc-job-monitor/poll/" + monitor).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public synchronized boolean tryTake() {
        if (held) {
            return true;
        }
        try {
            if (connection == null) {
                connection = open();
            }
            try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                statement.setLong(1, key);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    held = rows.getBoolean(1);
                }
            }
            return held;
        } catch (SQLException e) {
            close();
            throw JdbcStateStore.failure(e);
        }
    }

    private Connection open() throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", user == null ? "" : user);
        login.setProperty("password", password == null ? "" : password);
        login.setProperty("ApplicationName", APPLICATION_NAME);
        // a session whose client vanished (a host that lost power) is ended by the server within
        // about 30 s, and the lock with it, rather than after the system's two hours
        login.setProperty("options", "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3");
        return DriverManager.getConnection(jdbcUrl, login);
    }

    @Override
    public synchronized String holder() {
        String unknown = "another process";
        if (connection == null) {
            return unknown;
        }
        // an advisory lock on a bigint shows in pg_locks as its high and low 32 bits, objsubid 1
        try (PreparedStatement statement = connection.prepareStatement("SELECT a.application_name, host(a.client_addr)"
                + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                + " AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 1")) {
            statement.setLong(1, key >>> 32);
            statement.setLong(2, key & 0xFFFF_FFFFL);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return unknown;
                }
                String name = rows.getString(1);
                String address = rows.getString(2);
                return (name == null || name.isBlank() ? unknown : name) + (address == null ? "" : ", connected from " + address);
            }
        } catch (SQLException e) {
            LOG.debug("cannot tell who holds the poll lock", e);
            return unknown;
        }
    }

    @Override
    public synchronized void close() {
        boolean wasHeld = held;
        held = false;
        if (connection == null) {
            return;
        }
        if (wasHeld) {
            // given back before the session ends: the server ends a closed session on its own
            // time, and the next process must not find the monitor still taken
            try (PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                statement.setLong(1, key);
                statement.execute();
            } catch (SQLException e) {
                LOG.debug("giving the poll lock back failed; the end of its session frees it", e);
            }
        }
        try {
            // the session's end frees its advisory locks (those of a session that broke, too)
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing the poll lock's connection failed; the server ends its session", e);
        }
        connection = null;
    }

    private static String applicationName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "an unknown host";
        }
        return "tc-job-monitor pid " + ProcessHandle.current().pid() + " on " + host;
    }
}
