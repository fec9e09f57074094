package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QuartzClusteringTest {

    private DefaultCamelContext context;
    private QuartzComponent quartz;

    @BeforeEach
    void quartzSetUpAsAOneShotRunSetsIt() {
        context = new DefaultCamelContext();
        quartz = context.getComponent("quartz", QuartzComponent.class);
        quartz.setInterruptJobsOnShutdown(true);
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    private QuartzClustering clustering(boolean enabled) {
        QuartzClustering clustering = new QuartzClustering();
        clustering.setCamelContext(context);
        clustering.setClusterEnabled(enabled);
        clustering.setJdbcUrl("jdbc:postgresql://db.example.org:5432/tc_monitor");
        clustering.setUser("tc_monitor");
        clustering.setPassword("");
        clustering.setCheckinIntervalMillis(2_000);
        return clustering;
    }

    @Test
    void withoutClusteringQuartzKeepsItsInMemoryStoreAndItsSettings() {
        clustering(false).start();

        assertThat(quartz.getProperties()).isNull();
        assertThat(quartz.isInterruptJobsOnShutdown()).isTrue();
    }

    @Test
    void clusteringPutsTheJobStoreOnTheSharedDatabase() {
        clustering(true).start();

        assertThat(quartz.getProperties())
                .containsEntry("org.quartz.jobStore.isClustered", "true")
                .containsEntry("org.quartz.jobStore.clusterCheckinInterval", "2000")
                // with the default timeouts (ClusterDatabase): a database that stops answering fails a check-in
                .containsEntry("org.quartz.dataSource.tc.URL",
                        "jdbc:postgresql://db.example.org:5432/tc_monitor?connectTimeout=10&loginTimeout=40&socketTimeout=30");
    }

    @Test
    void aClusteredSchedulerIsWaitedForOnShutdownBeforeItsConnectionsClose() {
        clustering(true).start();

        assertThat(quartz.isInterruptJobsOnShutdown()).isFalse();
    }
}
