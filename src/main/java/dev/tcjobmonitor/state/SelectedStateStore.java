package dev.tcjobmonitor.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tcjobmonitor.monitor.OptionalDependency;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state store the settings ask for (bean {@code tcStateStore}): files under
 * {@code monitor.state-dir}, or, with {@code monitor.cluster.enabled=true}, the PostgreSQL that
 * all nodes share.
 */
public class SelectedStateStore implements MonitorStateStore, AutoCloseable {

    private boolean clusterEnabled;
    private String directory;
    private String jdbcUrl;
    private String user;
    private String password;
    private long connectTimeoutMillis = 10_000;
    private long socketTimeoutMillis = 30_000;
    private MonitorStateStore store;
    private RepeatState repeatState;
    /**
     * The cluster's connection pool (a HikariDataSource), as a Closeable: a field of HikariCP's type
     * would make the class unloadable (by Camel's bean post-processing, which reads the fields) in a
     * host without the optional HikariCP, which only a cluster needs.
     */
    private Closeable pool;
    /** This process's hold on the local state folder (see {@link StateFolderLock}), from the first use of the state. */
    private StateFolderLock folderLock;

    @Override
    public Optional<Path> localFolder() {
        return directory == null || directory.isBlank() ? Optional.empty() : Optional.of(Path.of(directory.strip()));
    }

    public void setClusterEnabled(boolean clusterEnabled) {
        this.clusterEnabled = clusterEnabled;
    }

    public void setDirectory(String directory) {
        this.directory = directory;
    }

    public void setJdbcUrl(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public void setConnectTimeoutMillis(long connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    public void setSocketTimeoutMillis(long socketTimeoutMillis) {
        this.socketTimeoutMillis = socketTimeoutMillis;
    }

    public synchronized void start() {
        if (store != null) {
            return;
        }
        if (!clusterEnabled) {
            store = new FileStateStore(Path.of(directory));
            repeatState = new RepeatStateFile(Path.of(directory));
            return;
        }
        if (!OptionalDependency.CLUSTER.present()) {
            throw new IllegalStateException("invalid setting monitor.cluster.enabled: cluster mode needs "
                    + OptionalDependency.CLUSTER.artifacts() + " on the class path");
        }
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("invalid setting monitor.cluster.jdbc-url: '" + jdbcUrl
                    + "' is not a PostgreSQL JDBC URL such as jdbc:postgresql://db.example.org:5432/tc_monitor");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("tc-job-monitor-state");
        // a database that stops answering fails a query within the socket timeout (ClusterDatabase)
        config.setJdbcUrl(ClusterDatabase.withTimeouts(jdbcUrl, connectTimeoutMillis, socketTimeoutMillis));
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(4);
        // the first connection is made here, once: a database that cannot be reached fails start-up
        // at once (Application exits 1 naming it, and the service manager starts the node again)
        // rather than after the pool's 5 s wait, twice (Camel's YAML loader tries a bean again)
        config.setInitializationFailTimeout(1);
        config.setConnectionTimeout(5_000);
        HikariDataSource dataSource = new HikariDataSource(config);
        pool = dataSource;
        JdbcStateStore jdbc = new JdbcStateStore(dataSource);
        jdbc.createSchema();
        store = jdbc;
        repeatState = new RepeatStateJdbc(dataSource);
    }

    /**
     * Takes the state folder for this process now rather than at the first use of the state: a
     * process that polls does so at start, so that beside another one on the same folder it stops
     * before it reads or writes anything. In a cluster the folder holds the node's dead letters
     * (the watermark and the delivered ids are in the database, shared by design, and Quartz runs
     * one poll at a time across the nodes), so there the lock keeps two processes of one node
     * apart, not the nodes.
     *
     * @throws StateFolderLock.StateFolderInUse when another process holds it
     */
    public synchronized void lockFolder() {
        if (folderLock == null) {
            folderLock = StateFolderLock.acquire(Path.of(directory));
        }
    }

    private synchronized MonitorStateStore store() {
        // a host whose state folder another process holds: every use fails, naming that process,
        // until it has ended
        lockFolder();
        if (store == null) {
            start();
        }
        return store;
    }

    @Override
    public Optional<Instant> watermark(String monitor) {
        return store().watermark(monitor);
    }

    @Override
    public void saveWatermark(String monitor, Instant watermark) {
        store().saveWatermark(monitor, watermark);
    }

    @Override
    public boolean isDelivered(String monitor, String sink, String executionKey) {
        return store().isDelivered(monitor, sink, executionKey);
    }

    @Override
    public void recordDelivered(String monitor, String sink, List<Delivery> deliveries) {
        store().recordDelivered(monitor, sink, deliveries);
    }

    @Override
    public void forgetDeliveredBefore(String monitor, Instant cutoff) {
        store().forgetDeliveredBefore(monitor, cutoff);
    }

    @Override
    public Optional<Instant> forgottenBefore(String monitor) {
        return store().forgottenBefore(monitor);
    }

    /**
     * In a cluster, the PostgreSQL advisory lock of the monitor ({@link AdvisoryPollLock}): one
     * process polls it at a time, whichever node or one-shot command it is. With files, none is
     * needed: this process holds the state folder.
     */
    @Override
    public PollLock pollLock(String monitor) {
        store();
        if (!clusterEnabled) {
            return PollLock.UNCONTESTED;
        }
        return new AdvisoryPollLock(ClusterDatabase.withTimeouts(jdbcUrl, connectTimeoutMillis, socketTimeoutMillis), user,
                password, monitor);
    }

    /** Files under monitor.state-dir, or the cluster's PostgreSQL, as the rest of the state. */
    @Override
    public RepeatState repeatState() {
        store();
        return repeatState;
    }

    @Override
    public Map<String, Instant> refusedSince(String monitor, String sink, List<String> executionKeys, Instant now) {
        return store().refusedSince(monitor, sink, executionKeys, now);
    }

    @Override
    public void forgetRefusals(String monitor, Instant cutoff) {
        store().forgetRefusals(monitor, cutoff);
    }

    @Override
    public FailingJobs failingJobs() {
        return store().failingJobs();
    }

    @Override
    public synchronized void close() {
        if (store instanceof FileStateStore files) {
            files.close();
        }
        if (pool != null) {
            try {
                pool.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (folderLock != null) {
            folderLock.close();
            folderLock = null;
        }
    }

    @Override
    public String toString() {
        return clusterEnabled ? "PostgreSQL state store" : "file state store in " + directory;
    }
}
