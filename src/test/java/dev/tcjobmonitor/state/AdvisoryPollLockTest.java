package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's poll lock against a real PostgreSQL: each lock is a session of its own, as each
 * process (a daemon node, a one-shot command) has one.
 */
class AdvisoryPollLockTest {

    @TempDir
    static Path tempDir;
    private static EmbeddedPostgresServer postgres;
    private final List<PollLock> locks = new ArrayList<>();

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = new EmbeddedPostgresServer(tempDir.resolve("pg")).start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @AfterEach
    void releaseAll() {
        locks.forEach(PollLock::close);
    }

    private PollLock lock(String monitor) {
        PollLock lock = new AdvisoryPollLock(ClusterDatabase.withTimeouts(postgres.jdbcUrl(), 5_000, 5_000), postgres.user(), "",
                monitor);
        locks.add(lock);
        return lock;
    }

    @Test
    void oneProcessAtATimeHoldsAMonitorAndTheNextTakesItOnceItIsGiven() {
        PollLock first = lock("default");
        PollLock second = lock("default");

        assertThat(first.tryTake()).isTrue();
        assertThat(second.tryTake()).as("a second process while the first polls").isFalse();
        // asked again while held: still this process's
        assertThat(first.tryTake()).isTrue();

        first.close();

        assertThat(second.tryTake()).as("once the first gave it back").isTrue();
    }

    @Test
    void aRefusedProcessIsToldWhoHoldsTheMonitor() {
        lock("default").tryTake();
        PollLock second = lock("default");

        assertThat(second.tryTake()).isFalse();

        assertThat(second.holder()).matches("tc-job-monitor pid " + ProcessHandle.current().pid() + " on .+, connected from 127\\.0\\.0\\.1");
    }

    @Test
    void monitorsAreLockedEachOnItsOwn() {
        assertThat(lock("eu").tryTake()).isTrue();
        assertThat(lock("us").tryTake()).isTrue();
        assertThat(lock("default").tryTake()).isTrue();
    }

    @Test
    void aProcessThatDiesGivesTheMonitorBackWithItsSession() throws Exception {
        PollLock dying = lock("default");
        assertThat(dying.tryTake()).isTrue();
        PollLock next = lock("default");
        assertThat(next.tryTake()).isFalse();

        // what a SIGKILL does to the holder's session: the server ends it
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             PreparedStatement kill = admin.prepareStatement(
                     "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted")) {
            kill.executeQuery();
        }

        await().atMost(Duration.ofSeconds(10)).until(next::tryTake);
    }

    @Test
    void aDatabaseThatCannotBeReachedFailsTheAttemptWithoutTheLogin() {
        PollLock unreachable = new AdvisoryPollLock(ClusterDatabase.withTimeouts(
                "jdbc:postgresql://127.0.0.1:" + dev.tcjobmonitor.support.FreePorts.freePort() + "/postgres", 2_000, 2_000),
                "tc_monitor", "Secret-Db-Pw-1", "default");
        locks.add(unreachable);

        assertThatThrownBy(unreachable::tryTake).isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith("PostgreSQL state store: ")
                .hasMessageNotContaining("Secret-Db-Pw-1");
    }
}
