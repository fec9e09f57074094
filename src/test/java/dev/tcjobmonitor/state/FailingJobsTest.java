package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The failing sets ("job recovered" notices, README "Job recovered") of both state stores, the
 * file store's and a real PostgreSQL's: the same answers, kept where the rest of the state is.
 */
class FailingJobsTest {

    private static final Instant T100 = Instant.ofEpochSecond(100);
    private static final Instant T200 = Instant.ofEpochSecond(200);
    private static final Instant T300 = Instant.ofEpochSecond(300);

    @TempDir
    static Path tempDir;
    private static EmbeddedPostgresServer postgres;
    private static PGSimpleDataSource dataSource;
    private static int folders;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = new EmbeddedPostgresServer(tempDir.resolve("pg")).start();
        dataSource = new PGSimpleDataSource();
        dataSource.setUrl(postgres.jdbcUrl());
        dataSource.setUser(postgres.user());
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    /** A fresh store of each kind, and how to open the same state again (a restart). */
    interface Store {
        MonitorStateStore open() throws Exception;
    }

    static Stream<Store> stores() throws Exception {
        Path folder = tempDir.resolve("files-" + folders++);
        JdbcStateStore jdbc = new JdbcStateStore(dataSource);
        jdbc.createSchema();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM TC_MONITOR_FAILING_JOB");
        }
        return Stream.of(
                new Store() {
                    public MonitorStateStore open() {
                        return new FileStateStore(folder);
                    }

                    public String toString() {
                        return "files";
                    }
                },
                new Store() {
                    public MonitorStateStore open() {
                        return new JdbcStateStore(dataSource);
                    }

                    public String toString() {
                        return "PostgreSQL";
                    }
                });
    }

    private static void close(MonitorStateStore store) {
        if (store instanceof FileStateStore files) {
            files.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aSinksFailuresOfAJobAddUpAndSurviveAReopen(Store kind) throws Exception {
        MonitorStateStore store = kind.open();
        store.failingJobs().failed("m", "file", List.of(new FailingJobs.Failure(7, T200), new FailingJobs.Failure(7, T100)));
        store.failingJobs().failed("m", "file", List.of(new FailingJobs.Failure(7, T300), new FailingJobs.Failure(8, T100)));
        store.failingJobs().failed("m", "email", List.of(new FailingJobs.Failure(7, T300)));
        store.failingJobs().failed("other", "file", List.of(new FailingJobs.Failure(9, T300)));
        close(store);

        MonitorStateStore reopened = kind.open();
        assertThat(reopened.failingJobs().failing("m")).containsExactlyInAnyOrder(
                new FailingJob("file", 7, T100, T300, 3),
                new FailingJob("file", 8, T100, T100, 1),
                new FailingJob("email", 7, T300, T300, 1));
        close(reopened);
    }

    /**
     * A notice takes its job out of the sink's set, unless the sink got a later failure of the job
     * since the notice was worked out (the job failed again: it is still failing).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aNoticeTakesItsJobOutUnlessTheSinkGotALaterFailure(Store kind) throws Exception {
        MonitorStateStore store = kind.open();
        FailingJobs jobs = store.failingJobs();
        jobs.failed("m", "file", List.of(new FailingJobs.Failure(7, T100), new FailingJobs.Failure(8, T300)));
        jobs.failed("m", "email", List.of(new FailingJobs.Failure(7, T100)));

        jobs.recovered("m", "file", 7, T200);
        jobs.recovered("m", "file", 8, T200);

        assertThat(jobs.failing("m")).containsExactlyInAnyOrder(
                new FailingJob("file", 8, T300, T300, 1),
                new FailingJob("email", 7, T100, T100, 1));
        close(store);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void jobsWhoseLastFailureIsBeforeTheCutoffAreForgotten(Store kind) throws Exception {
        MonitorStateStore store = kind.open();
        FailingJobs jobs = store.failingJobs();
        jobs.failed("m", "file", List.of(new FailingJobs.Failure(7, T100), new FailingJobs.Failure(8, T100),
                new FailingJobs.Failure(8, T300)));

        jobs.forgetBefore("m", T200);

        assertThat(jobs.failing("m")).containsExactly(new FailingJob("file", 8, T100, T300, 2));
        close(store);
    }
}
