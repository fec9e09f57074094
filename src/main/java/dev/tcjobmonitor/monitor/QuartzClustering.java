package dev.tcjobmonitor.monitor;

import java.util.HashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.quartz.QuartzComponent;

/**
 * With {@code monitor.cluster.enabled=true}, puts Camel's Quartz scheduler on the shared
 * PostgreSQL as a clustered JDBC job store (bean {@code tcQuartzClustering}), so each cron fire
 * runs on exactly one node, a job never runs twice at once across nodes, and a node that dies
 * mid-poll has its fire recovered by another. Quartz counts a node as dead 7.5 s (a constant of
 * its own) after its check-in is overdue, so a takeover takes up to check-in interval + 7.5 s + one
 * cron period. Without clustering, Quartz keeps its in-memory store, and so does a one-shot
 * command's process ({@code --once}, {@code --since}, {@code --dry-run}): it polls on its own and
 * never joins the cluster's schedule (the shared job store could hand its poll to another node);
 * the monitor's poll lock on the shared database keeps it apart from the daemons' polls.
 * It configures the component before the monitors' routes create their endpoints.
 */
public class QuartzClustering implements CamelContextAware {

    private CamelContext camelContext;
    private boolean clusterEnabled;
    private boolean oneShot;
    private String jdbcUrl;
    private String user;
    private String password;
    private long checkinIntervalMillis = 5_000;
    private long connectTimeoutMillis = 10_000;
    private long socketTimeoutMillis = 30_000;

    public void start() {
        if (!clusterEnabled || oneShot) {
            return;
        }
        Map<String, Object> quartz = new HashMap<>();
        quartz.put("org.quartz.scheduler.instanceName", "tc-job-monitor");
        quartz.put("org.quartz.scheduler.instanceId", "AUTO");
        quartz.put("org.quartz.threadPool.threadCount", "4");
        quartz.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        quartz.put("org.quartz.jobStore.tablePrefix", "QRTZ_");
        quartz.put("org.quartz.jobStore.isClustered", "true");
        quartz.put("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(checkinIntervalMillis));
        quartz.put("org.quartz.jobStore.misfireThreshold", "60000");
        // after a failed check-in, try again as often as a check-in: with Quartz's default of 15 s
        // a node that lost its connection during a database restart is taken for dead while it
        // still runs, and two nodes poll at once
        quartz.put("org.quartz.jobStore.dbRetryInterval", String.valueOf(checkinIntervalMillis));
        quartz.put("org.quartz.jobStore.dataSource", "tc");
        quartz.put("org.quartz.dataSource.tc.provider", "hikaricp");
        quartz.put("org.quartz.dataSource.tc.driver", "org.postgresql.Driver");
        // as our state store's: a database that stops answering fails a check-in or a fire within
        // the socket timeout, instead of holding the scheduler's threads for ~15 minutes
        quartz.put("org.quartz.dataSource.tc.URL",
                dev.tcjobmonitor.state.ClusterDatabase.withTimeouts(jdbcUrl, connectTimeoutMillis, socketTimeoutMillis));
        quartz.put("org.quartz.dataSource.tc.user", user == null ? "" : user);
        quartz.put("org.quartz.dataSource.tc.password", password == null ? "" : password);
        quartz.put("org.quartz.dataSource.tc.maxConnections", "6");
        quartz.put("org.quartz.scheduler.skipUpdateCheck", "true");
        QuartzComponent component = camelContext.getComponent("quartz", QuartzComponent.class);
        component.setProperties(quartz);
        // the job store's connections close as the scheduler shuts down: without waiting for the
        // scheduler's thread (what interrupting jobs on shutdown means, as a --once sets it), a fire it
        // is storing at that moment fails and logs connection errors on the way out
        component.setInterruptJobsOnShutdown(false);
    }

    public void setClusterEnabled(boolean clusterEnabled) {
        this.clusterEnabled = clusterEnabled;
    }

    public void setOneShot(boolean oneShot) {
        this.oneShot = oneShot;
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

    public void setCheckinIntervalMillis(long checkinIntervalMillis) {
        this.checkinIntervalMillis = checkinIntervalMillis;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
