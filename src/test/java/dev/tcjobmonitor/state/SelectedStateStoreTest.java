package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tcjobmonitor.support.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's state store as a node starts. */
class SelectedStateStoreTest {

    /**
     * Below the pool's 5 s connection timeout, which a start that waited for a connection would take
     * (twice: Camel's YAML loader tries a bean again); refusing a connection takes milliseconds.
     */
    private static final Duration AT_ONCE = Duration.ofSeconds(4);

    @TempDir
    Path stateDir;

    /**
     * A node whose database cannot be reached cannot start (camel-quartz needs the database to store
     * its triggers as Camel starts), and Application exits with 1 for the service manager to start
     * it again: the sooner it knows, the sooner the next try.
     */
    @Test
    void aDatabaseThatCannotBeReachedFailsTheStartAtOnceAsAnOutage() {
        SelectedStateStore store = new SelectedStateStore();
        store.setClusterEnabled(true);
        store.setDirectory(stateDir.toString());
        store.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + FreePorts.freePort() + "/tc_monitor");
        store.setUser("tc_monitor");
        store.setPassword("secret");
        try {
            Throwable failure = assertTimeoutPreemptively(AT_ONCE, () -> catchThrowable(store::start),
                    "the start failed without waiting for the pool");

            assertThat(failure).as("the start").isNotNull();
            assertThat(ClusterDatabase.unreachable(failure)).as(String.valueOf(failure)).isTrue();
        } finally {
            store.close();
        }
    }
}
