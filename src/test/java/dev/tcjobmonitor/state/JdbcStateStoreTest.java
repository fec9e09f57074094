package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The PostgreSQL state store's delivered ids and first refusals, against a real PostgreSQL. */
class JdbcStateStoreTest {

    private static final Instant T100 = Instant.ofEpochSecond(100);
    private static final Instant T200 = Instant.ofEpochSecond(200);
    private static final Instant T300 = Instant.ofEpochSecond(300);

    @TempDir
    static Path tempDir;
    private static EmbeddedPostgresServer postgres;
    private static PGSimpleDataSource dataSource;
    private JdbcStateStore store;

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

    @BeforeEach
    void emptyStore() throws Exception {
        store = new JdbcStateStore(dataSource);
        store.createSchema();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM TC_MONITOR_DELIVERED");
            statement.execute("DELETE FROM TC_MONITOR_FORGOTTEN");
            statement.execute("DELETE FROM TC_MONITOR_REFUSED");
        }
    }

    private static List<Delivery> deliveries(Object... keysAndTimes) {
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < keysAndTimes.length; i += 2) {
            deliveries.add(new Delivery((String) keysAndTimes[i], (Instant) keysAndTimes[i + 1]));
        }
        return deliveries;
    }

    /** Execution key to event time (epoch seconds) of one monitor's sink, as the table holds them. */
    private static Map<String, Long> rows(String monitor, String sink) throws Exception {
        Map<String, Long> rows = new TreeMap<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT EXECUTION_KEY, EVENT_TIME FROM TC_MONITOR_DELIVERED"
                     + " WHERE MONITOR = '" + monitor + "' AND SINK = '" + sink + "'")) {
            while (result.next()) {
                rows.put(result.getString(1), result.getTimestamp(2).toInstant().getEpochSecond());
            }
        }
        return rows;
    }

    @Test
    void everyKeyOfABatchIsDeliveredWithItsEventTime() throws Exception {
        store.recordDelivered("m1", "file", deliveries("42", T100, "43", T200, "job-7:run-3", T300));

        assertThat(store.isDelivered("m1", "file", "42")).isTrue();
        assertThat(store.isDelivered("m1", "file", "job-7:run-3")).isTrue();
        assertThat(store.isDelivered("m1", "kafka", "42")).isFalse();
        assertThat(store.isDelivered("m2", "file", "42")).isFalse();
        assertThat(rows("m1", "file")).containsExactlyEntriesOf(new TreeMap<>(Map.of("42", 100L, "43", 200L, "job-7:run-3", 300L)));
    }

    @Test
    void keysRecordedBeforeOrTwiceInTheBatchKeepTheirFirstRow() throws Exception {
        store.recordDelivered("m1", "file", "42", T100);

        store.recordDelivered("m1", "file", deliveries("42", T200, "43", T200, "43", T300));

        assertThat(rows("m1", "file")).containsExactlyEntriesOf(new TreeMap<>(Map.of("42", 100L, "43", 200L)));
    }

    @Test
    void anEmptyBatchIsHarmless() throws Exception {
        store.recordDelivered("m1", "file", List.of());

        assertThat(rows("m1", "file")).isEmpty();
    }

    @Test
    void aBatchOfAWholePageIsRecordedAndForgottenLikeSingleDeliveries() throws Exception {
        List<Delivery> page = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            page.add(new Delivery(Integer.toString(i), i % 2 == 0 ? T100 : T300));
        }

        store.recordDelivered("m1", "kafka", page);
        store.forgetDeliveredBefore("m1", T200);

        assertThat(rows("m1", "kafka")).hasSize(5_000).containsEntry("1", 300L).doesNotContainKey("0");
    }

    /**
     * An id is kept by when its execution failed: recording it again later (a backfill seeing it
     * once more) neither refreshes it nor keeps it past its failure's retention.
     */
    @Test
    void idsAreKeptByTheirFailuresTimeNotByWhenTheyWereLastRecorded() throws Exception {
        store.recordDelivered("m1", "file", "failed-long-ago", T100);
        store.recordDelivered("m1", "file", "failed-long-ago", T300);
        store.recordDelivered("m1", "file", "failed-lately", T300);

        store.forgetDeliveredBefore("m1", T200);

        assertThat(store.isDelivered("m1", "file", "failed-long-ago")).isFalse();
        assertThat(store.isDelivered("m1", "file", "failed-lately")).isTrue();
    }

    @Test
    void forgottenBeforeIsEmptyUntilSomethingIsForgotten() {
        store.recordDelivered("m1", "file", "42", T300);

        store.forgetDeliveredBefore("m1", T200);

        assertThat(store.forgottenBefore("m1")).isEmpty();
    }

    @Test
    void forgottenBeforeIsTheCutoffOfWhatWasForgottenPerMonitor() {
        store.recordDelivered("m1", "file", "42", T100);
        store.recordDelivered("m2", "file", "42", T100);

        store.forgetDeliveredBefore("m1", T200);

        assertThat(store.forgottenBefore("m1")).contains(T200);
        assertThat(store.forgottenBefore("m2")).isEmpty();
        assertThat(store.isDelivered("m2", "file", "42")).isTrue();
    }

    /** A longer retention does not bring back what a shorter one already forgot. */
    @Test
    void forgottenBeforeNeverMovesBack() {
        store.recordDelivered("m1", "file", "42", T200);
        store.forgetDeliveredBefore("m1", T300);
        store.recordDelivered("m1", "file", "sent-again", T100);

        store.forgetDeliveredBefore("m1", T200);

        assertThat(store.isDelivered("m1", "file", "sent-again")).isFalse();
        assertThat(store.forgottenBefore("m1")).contains(T300);
    }

    @Test
    void anAlertRefusedForTheFirstTimeIsRefusedSinceNowAndKeepsThatTimeAtLaterRefusalsAndRestarts() {
        assertThat(store.refusedSince("m1", "custom", List.of("a", "a"), T100)).containsExactly(Map.entry("a", T100));

        JdbcStateStore restarted = new JdbcStateStore(dataSource);

        assertThat(restarted.refusedSince("m1", "custom", List.of("a", "b"), T200))
                .containsExactlyInAnyOrderEntriesOf(Map.of("a", T100, "b", T200));
        assertThat(restarted.refusedSince("m1", "kafka", List.of("a"), T300)).as("per sink").containsExactly(Map.entry("a", T300));
        assertThat(restarted.refusedSince("m2", "custom", List.of("a"), T300)).as("per monitor").containsExactly(Map.entry("a", T300));
    }

    @Test
    void forgettingRefusalsDropsTheAlertsTheSinkHasHadSinceAndThoseFirstRefusedBeforeTheCutoff() {
        store.refusedSince("m1", "custom", List.of("old"), T100);
        store.refusedSince("m1", "custom", List.of("delivered", "pending"), T200);
        store.refusedSince("m1", "kafka", List.of("delivered"), T200);
        store.refusedSince("m2", "custom", List.of("old"), T100);
        store.recordDelivered("m1", "custom", "delivered", T200);

        store.forgetRefusals("m1", T200);

        assertThat(store.refusedSince("m1", "custom", List.of("old", "delivered", "pending"), T300))
                .containsExactlyInAnyOrderEntriesOf(Map.of("old", T300, "delivered", T300, "pending", T200));
        assertThat(store.refusedSince("m1", "kafka", List.of("delivered"), T300)).as("that sink has not had it")
                .containsExactly(Map.entry("delivered", T200));
        assertThat(store.refusedSince("m2", "custom", List.of("old"), T300)).as("another monitor's")
                .containsExactly(Map.entry("old", T100));
    }
}
