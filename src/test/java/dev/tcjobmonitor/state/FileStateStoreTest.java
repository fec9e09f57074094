package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.tcjobmonitor.support.RecordingChannel;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The file-backed state store. "Restart" means a new {@link FileStateStore} on the same folder, which
 * knows only what is on disk.
 */
class FileStateStoreTest {

    private static final Instant T100 = Instant.ofEpochSecond(100);
    private static final Instant T200 = Instant.ofEpochSecond(200);
    private static final Instant T300 = Instant.ofEpochSecond(300);

    @TempDir
    Path dir;

    private FileStateStore store() {
        return new FileStateStore(dir);
    }

    private Path ledger(String monitor, String sink) {
        return dir.resolve(monitor).resolve("delivered-" + sink + ".tsv");
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    private static List<String> fileNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Nested
    class Watermark {

        @Test
        void isAbsentAtFirst() {
            assertThat(store().watermark("m1")).isEmpty();
        }

        @Test
        void roundTrips() {
            FileStateStore store = store();
            Instant watermark = Instant.parse("2024-04-10T12:34:56.789Z");

            store.saveWatermark("m1", watermark);

            assertThat(store.watermark("m1")).contains(watermark);
        }

        @Test
        void survivesRestart() {
            Instant watermark = Instant.parse("2024-04-10T12:34:56Z");
            store().saveWatermark("m1", watermark);

            assertThat(store().watermark("m1")).contains(watermark);
        }

        @Test
        void latestSaveWins() {
            FileStateStore store = store();
            store.saveWatermark("m1", T100);
            store.saveWatermark("m1", T200);

            assertThat(store.watermark("m1")).contains(T200);
            assertThat(store().watermark("m1")).contains(T200);
        }

        @Test
        void isPerMonitor() {
            FileStateStore store = store();
            store.saveWatermark("m1", T100);
            store.saveWatermark("m2", T200);

            assertThat(store.watermark("m1")).contains(T100);
            assertThat(store.watermark("m2")).contains(T200);
            assertThat(store.watermark("m3")).isEmpty();
        }

        @Test
        void isOneIsoInstantInItsOwnFile() throws IOException {
            store().saveWatermark("m1", Instant.parse("2024-04-10T12:00:00Z"));

            assertThat(Files.readString(dir.resolve("m1").resolve("watermark"))).isEqualTo("2024-04-10T12:00:00Z\n");
        }

        @Test
        void isReplacedThroughATempFileThatDoesNotLinger() throws IOException {
            FileStateStore store = store();
            store.saveWatermark("m1", T100);
            store.saveWatermark("m1", T200);

            assertThat(fileNames(dir.resolve("m1"))).containsExactly("watermark");
        }

        @Test
        void toleratesSurroundingWhitespaceWrittenByHand() throws IOException {
            Files.createDirectories(dir.resolve("m1"));
            Files.writeString(dir.resolve("m1").resolve("watermark"), "  2024-04-10T12:00:00Z \r\n");

            assertThat(store().watermark("m1")).contains(Instant.parse("2024-04-10T12:00:00Z"));
        }

        @Test
        void corruptFileIsAnErrorNamingTheFile() throws IOException {
            Path file = dir.resolve("m1").resolve("watermark");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "not-a-time\n");

            assertThatThrownBy(() -> store().watermark("m1"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("is corrupt")
                    .hasMessageContaining("delete it to restart from monitor.lookback");
        }

        @Test
        void emptyFileIsCorruptToo() throws IOException {
            Path file = dir.resolve("m1").resolve("watermark");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "");

            assertThatThrownBy(() -> store().watermark("m1"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(file.toString());
        }
    }

    @Nested
    class Durability {

        private final List<String> events = new ArrayList<>();

        private FileStateStore recordingStore() {
            FileStateStore store = new FileStateStore(dir);
            store.setOpener((file, options) -> new RecordingChannel(FileChannel.open(file, options), file, events));
            return store;
        }

        @Test
        void theDeliveredIdsReachTheDiskBeforeTheWatermarkMoves() {
            // after a power cut, a watermark on the disk without the delivered ids of its window
            // would skip what the sinks have and send it again or, worse, what they lack
            FileStateStore store = recordingStore();
            store.recordDelivered("m1", "file", "a", T100);
            store.recordDelivered("m1", "file", "b", T100);
            store.recordDelivered("m1", "kafka", "a", T100);

            store.saveWatermark("m1", T300);

            assertThat(events).as("one write per delivery, then each ledger forced once, then the watermark")
                    .startsWith("write delivered-file.tsv", "write delivered-file.tsv", "write delivered-kafka.tsv")
                    .endsWith("write watermark.tmp", "force watermark.tmp")
                    .hasSize(7);
            assertThat(events.subList(3, 5)).containsExactlyInAnyOrder("force delivered-file.tsv", "force delivered-kafka.tsv");
            assertThat(store.watermark("m1")).contains(T300);
        }

        /**
         * forgotten-before reaches the disk before the ledger loses a line: a crash in between
         * leaves entries the store admits it may lack, never a gap it does not admit to.
         */
        @Test
        void forgottenBeforeMovesBeforeTheLedgersAreRewritten() {
            FileStateStore store = recordingStore();
            store.recordDelivered("m1", "file", "a", T100);
            store.recordDelivered("m1", "file", "c", T300);
            events.clear();

            store.forgetDeliveredBefore("m1", T200);

            assertThat(events).containsExactly("write forgotten-before.tmp", "force forgotten-before.tmp",
                    "write delivered-file.tsv.tmp", "force delivered-file.tsv.tmp");
        }

        @Test
        void aWatermarkWithNothingDeliveredSinceTheLastForcesNoLedger() {
            FileStateStore store = recordingStore();
            store.recordDelivered("m1", "file", "a", T100);
            store.saveWatermark("m1", T200);
            events.clear();

            store.saveWatermark("m1", T300);

            assertThat(events).as("only the watermark's own write and force")
                    .containsExactly("write watermark.tmp", "force watermark.tmp");
        }

        @Test
        void deliveredIdsWrittenBeforeAFailedWriteAreForcedBeforeTheWatermarkAllTheSame() throws IOException {
            FileStateStore store = recordingStore();
            store.recordDelivered("m1", "file", "a", T100);
            // the ledger's appender is closed after a write fails: a folder where the ledger goes
            // makes the next write fail, so the store reopens the ledger to force what "a" left
            Path ledger = ledger("m1", "file");
            Path aside = ledger.resolveSibling("moved-aside");
            Files.move(ledger, aside);
            Files.createDirectory(ledger);
            store.close();
            assertThatThrownBy(() -> store.recordDelivered("m1", "file", "b", T100)).isInstanceOf(java.io.UncheckedIOException.class);
            Files.delete(ledger);
            Files.move(aside, ledger);
            events.clear();

            store.saveWatermark("m1", T300);

            assertThat(events).containsExactly("force delivered-file.tsv", "write watermark.tmp", "force watermark.tmp");
        }
    }

    @Nested
    class Delivered {

        @Test
        void nothingIsDeliveredAtFirst() {
            assertThat(store().isDelivered("m1", "file", "42")).isFalse();
        }

        @Test
        void recordedKeyIsDelivered() {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "42", T100);

            assertThat(store.isDelivered("m1", "file", "42")).isTrue();
            assertThat(store.isDelivered("m1", "file", "43")).isFalse();
        }

        @Test
        void isPerSink() {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "42", T100);

            assertThat(store.isDelivered("m1", "kafka", "42")).isFalse();
            store.recordDelivered("m1", "kafka", "43", T100);
            assertThat(store.isDelivered("m1", "file", "43")).isFalse();
        }

        @Test
        void isPerMonitor() {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "42", T100);

            assertThat(store.isDelivered("m2", "file", "42")).isFalse();
        }

        @Test
        void survivesRestartPerMonitorAndSink() {
            FileStateStore before = store();
            before.recordDelivered("m1", "file", "42", T100);
            before.recordDelivered("m1", "kafka", "43", T200);
            before.recordDelivered("m2", "file", "44", T300);

            FileStateStore after = store();
            assertThat(after.isDelivered("m1", "file", "42")).isTrue();
            assertThat(after.isDelivered("m1", "kafka", "43")).isTrue();
            assertThat(after.isDelivered("m2", "file", "44")).isTrue();
            assertThat(after.isDelivered("m1", "kafka", "42")).isFalse();
            assertThat(after.isDelivered("m1", "file", "43")).isFalse();
            assertThat(after.isDelivered("m2", "file", "42")).isFalse();
        }

        @Test
        void isOneTabSeparatedLinePerDelivery() throws IOException {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "42", T100);
            store.recordDelivered("m1", "file", "job-7:run-3", T200);

            assertThat(lines(ledger("m1", "file"))).containsExactly("42\t100", "job-7:run-3\t200");
        }

        @Test
        void recordingTwiceWritesOneLine() throws IOException {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "42", T100);
            store.recordDelivered("m1", "file", "42", T200);

            assertThat(lines(ledger("m1", "file"))).containsExactly("42\t100");
        }

        @Test
        void recordingAgainAfterRestartWritesNoSecondLine() throws IOException {
            store().recordDelivered("m1", "file", "42", T100);
            store().recordDelivered("m1", "file", "42", T100);

            assertThat(lines(ledger("m1", "file"))).containsExactly("42\t100");
        }

        @Test
        void tornLastLineIsIgnoredWhileEarlierLinesCount() throws IOException {
            FileStateStore before = store();
            before.recordDelivered("m1", "file", "100", T100);
            before.recordDelivered("m1", "file", "101", T200);
            Files.writeString(ledger("m1", "file"), "123\t17", StandardOpenOption.APPEND);

            FileStateStore after = store();
            assertThat(after.isDelivered("m1", "file", "100")).isTrue();
            assertThat(after.isDelivered("m1", "file", "101")).isTrue();
            assertThat(after.isDelivered("m1", "file", "123")).isFalse();
        }

        @Test
        void fileWithOnlyATornLineHoldsNoDeliveries() throws IOException {
            Files.createDirectories(dir.resolve("m1"));
            Files.writeString(ledger("m1", "file"), "123\t17");

            assertThat(store().isDelivered("m1", "file", "123")).isFalse();
        }

        @Test
        void damagedLinesAreSkippedAndTheRestCount() throws IOException {
            Files.createDirectories(dir.resolve("m1"));
            Files.writeString(ledger("m1", "file"), "41\t100\nno-tab-here\n\t100\n42\tnot-a-number\n43\t300\n");

            FileStateStore store = store();
            assertThat(store.isDelivered("m1", "file", "41")).isTrue();
            assertThat(store.isDelivered("m1", "file", "43")).isTrue();
            assertThat(store.isDelivered("m1", "file", "42")).isFalse();
            assertThat(store.isDelivered("m1", "file", "no-tab-here")).isFalse();
        }

        @Test
        void deliveryRecordedAfterATornLineSurvivesRestart() throws IOException {
            store().recordDelivered("m1", "file", "100", T100);
            Files.writeString(ledger("m1", "file"), "123\t17", StandardOpenOption.APPEND);

            store().recordDelivered("m1", "file", "200", T200);

            assertThat(store().isDelivered("m1", "file", "200")).isTrue();
        }

        @Test
        void tornLineNeverTurnsIntoAFalseDelivery() throws IOException {
            store().recordDelivered("m1", "file", "100", T100);
            Files.writeString(ledger("m1", "file"), "12", StandardOpenOption.APPEND); // torn "123\t150\n"

            store().recordDelivered("m1", "file", "4", T200);

            FileStateStore after = store();
            assertThat(after.isDelivered("m1", "file", "124")).isFalse();
            assertThat(after.isDelivered("m1", "file", "4")).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "a\tb", "a\nb", "a\rb"})
        void keysThatWouldBreakTheLineFormatAreRefused(String key) {
            assertThatThrownBy(() -> store().recordDelivered("m1", "file", key, T100))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Batches {

        private List<Delivery> deliveries(Object... keysAndTimes) {
            List<Delivery> deliveries = new java.util.ArrayList<>();
            for (int i = 0; i < keysAndTimes.length; i += 2) {
                deliveries.add(new Delivery((String) keysAndTimes[i], (Instant) keysAndTimes[i + 1]));
            }
            return deliveries;
        }

        @Test
        void everyKeyOfABatchIsDeliveredOneLineEachInTheBatchsOrder() throws IOException {
            FileStateStore store = store();

            store.recordDelivered("m1", "file", deliveries("42", T100, "7", T200, "job-7:run-3", T300));

            assertThat(store.isDelivered("m1", "file", "42")).isTrue();
            assertThat(store.isDelivered("m1", "file", "7")).isTrue();
            assertThat(store().isDelivered("m1", "file", "job-7:run-3")).as("after a restart").isTrue();
            assertThat(lines(ledger("m1", "file"))).containsExactly("42\t100", "7\t200", "job-7:run-3\t300");
        }

        @Test
        void keysRecordedBeforeOrTwiceInTheBatchKeepTheirFirstLine() throws IOException {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "42", T100);

            store.recordDelivered("m1", "file", deliveries("42", T200, "43", T200, "43", T300));

            assertThat(lines(ledger("m1", "file"))).containsExactly("42\t100", "43\t200");
        }

        @Test
        void anEmptyBatchWritesNoFile() throws IOException {
            store().recordDelivered("m1", "file", List.of());

            assertThat(ledger("m1", "file")).doesNotExist();
        }

        @Test
        void aBatchWithAKeyThatWouldBreakTheLineFormatRecordsNothing() {
            FileStateStore store = store();

            assertThatThrownBy(() -> store.recordDelivered("m1", "file", deliveries("41", T100, "a\tb", T100)))
                    .isInstanceOf(IllegalArgumentException.class);

            assertThat(store.isDelivered("m1", "file", "41")).isFalse();
            assertThat(ledger("m1", "file")).doesNotExist();
        }

        @Test
        void aBatchCutShortByACrashCountsItsCompleteLinesOnly() throws IOException {
            store().recordDelivered("m1", "file", "100", T100);
            // the crash came in the middle of the batch's write: "101" whole, "102" torn
            Files.writeString(ledger("m1", "file"), "101\t200\n10", StandardOpenOption.APPEND);

            FileStateStore after = store();
            assertThat(after.isDelivered("m1", "file", "101")).isTrue();
            assertThat(after.isDelivered("m1", "file", "10")).isFalse();
            assertThat(after.isDelivered("m1", "file", "102")).isFalse();

            after.recordDelivered("m1", "file", deliveries("102", T200, "103", T300));
            assertThat(lines(ledger("m1", "file"))).containsExactly("100\t100", "101\t200", "102\t200", "103\t300");
        }
    }

    @Nested
    class Forgetting {

        @Test
        void dropsOnlyEntriesOlderThanTheCutoff() {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "a", T100);
            store.recordDelivered("m1", "file", "b", T200);
            store.recordDelivered("m1", "file", "c", T300);

            store.forgetDeliveredBefore("m1", T200);

            assertThat(store.isDelivered("m1", "file", "a")).isFalse();
            assertThat(store.isDelivered("m1", "file", "b")).as("at the cutoff").isTrue();
            assertThat(store.isDelivered("m1", "file", "c")).isTrue();
        }

        @Test
        void persistsWhatItForgets() throws IOException {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "a", T100);
            store.recordDelivered("m1", "file", "b", T200);
            store.recordDelivered("m1", "file", "c", T300);

            store.forgetDeliveredBefore("m1", T200);

            FileStateStore after = store();
            assertThat(after.isDelivered("m1", "file", "a")).isFalse();
            assertThat(after.isDelivered("m1", "file", "b")).isTrue();
            assertThat(after.isDelivered("m1", "file", "c")).isTrue();
            assertThat(lines(ledger("m1", "file"))).containsExactlyInAnyOrder("b\t200", "c\t300");
            assertThat(fileNames(dir.resolve("m1"))).noneMatch(name -> name.endsWith(".tmp"));
        }

        @Test
        void coversEverySinkOfTheMonitorAndNoOtherMonitor() {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "a", T100);
            store.recordDelivered("m1", "kafka", "a", T100);
            store.recordDelivered("m1", "kafka", "c", T300);
            store.recordDelivered("m2", "file", "a", T100);

            store.forgetDeliveredBefore("m1", T200);

            FileStateStore after = store();
            assertThat(after.isDelivered("m1", "file", "a")).isFalse();
            assertThat(after.isDelivered("m1", "kafka", "a")).isFalse();
            assertThat(after.isDelivered("m1", "kafka", "c")).isTrue();
            assertThat(after.isDelivered("m2", "file", "a")).isTrue();
        }

        @Test
        void worksOnLedgersWrittenBeforeARestart() {
            FileStateStore before = store();
            before.recordDelivered("m1", "file", "a", T100);
            before.recordDelivered("m1", "file", "c", T300);

            store().forgetDeliveredBefore("m1", T200);

            FileStateStore after = store();
            assertThat(after.isDelivered("m1", "file", "a")).isFalse();
            assertThat(after.isDelivered("m1", "file", "c")).isTrue();
        }

        @Test
        void leavesTheFileAloneWhenNothingIsOldEnough() throws IOException {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "c", T300);
            Files.writeString(ledger("m1", "file"), "# hand-made note\n", StandardOpenOption.APPEND);

            store.forgetDeliveredBefore("m1", T200);

            assertThat(lines(ledger("m1", "file"))).containsExactly("c\t300", "# hand-made note");
        }

        @Test
        void keepsRecordingAfterForgetting() throws IOException {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "a", T100);
            store.forgetDeliveredBefore("m1", T200);

            store.recordDelivered("m1", "file", "d", T300);

            assertThat(lines(ledger("m1", "file"))).containsExactly("d\t300");
            assertThat(store().isDelivered("m1", "file", "d")).isTrue();
        }

        @Test
        void onAMonitorWithNothingRecordedIsHarmless() {
            store().forgetDeliveredBefore("fresh", T200);

            assertThat(store().isDelivered("fresh", "file", "a")).isFalse();
        }

        /**
         * A month of ids loses a few minutes' worth at every poll: rewriting the ledger each time
         * would cost more than keeping them a few days longer, so they go once they are a quarter.
         */
        @Test
        void waitsUntilTheOldEntriesAreAQuarterOfTheKeptOnesSoALedgerIsNotRewrittenAtEveryPoll() throws IOException {
            FileStateStore store = store();
            for (int i = 0; i < 8; i++) {
                store.recordDelivered("m1", "file", "kept-" + i, T300);
            }
            store.recordDelivered("m1", "file", "old-1", T100);

            store.forgetDeliveredBefore("m1", T200);

            assertThat(store.isDelivered("m1", "file", "old-1")).as("1 old for 8 kept: not yet").isTrue();
            assertThat(lines(ledger("m1", "file"))).hasSize(9);
            assertThat(store.forgottenBefore("m1")).isEmpty();

            store.recordDelivered("m1", "file", "old-2", T100);
            store.forgetDeliveredBefore("m1", T200);

            assertThat(store.isDelivered("m1", "file", "old-1")).as("2 old for 8 kept: a quarter").isFalse();
            assertThat(store.isDelivered("m1", "file", "old-2")).isFalse();
            assertThat(lines(ledger("m1", "file"))).hasSize(8).allMatch(line -> line.startsWith("kept-"));
        }

        @Test
        void countsTheOldEntriesOfEverySinkTogether() {
            FileStateStore store = store();
            for (int i = 0; i < 4; i++) {
                store.recordDelivered("m1", "file", "kept-" + i, T300);
                store.recordDelivered("m1", "kafka", "kept-" + i, T300);
            }
            store.recordDelivered("m1", "file", "old", T100);
            store.recordDelivered("m1", "kafka", "old", T100);

            store.forgetDeliveredBefore("m1", T200);

            assertThat(store.isDelivered("m1", "file", "old")).isFalse();
            assertThat(store.isDelivered("m1", "kafka", "old")).isFalse();
        }

        @Test
        void forgottenBeforeIsEmptyUntilSomethingIsForgotten() {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "c", T300);

            store.forgetDeliveredBefore("m1", T200);

            assertThat(store.forgottenBefore("m1")).isEmpty();
            assertThat(store().forgottenBefore("never-polled")).isEmpty();
        }

        @Test
        void forgottenBeforeIsTheCutoffOfWhatWasForgottenAndSurvivesRestart() throws IOException {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "a", T100);
            store.recordDelivered("m1", "file", "c", T300);

            store.forgetDeliveredBefore("m1", T200);

            assertThat(store.forgottenBefore("m1")).contains(T200);
            assertThat(store().forgottenBefore("m1")).contains(T200);
            assertThat(store().forgottenBefore("m2")).isEmpty();
            assertThat(Files.readString(dir.resolve("m1").resolve("forgotten-before"))).isEqualTo(T200 + "\n");
        }

        /** A longer retention does not bring back what a shorter one already forgot. */
        @Test
        void forgottenBeforeNeverMovesBack() {
            FileStateStore store = store();
            store.recordDelivered("m1", "file", "a", T200);
            store.forgetDeliveredBefore("m1", T300);
            store.recordDelivered("m1", "file", "sent-again", T100);

            store.forgetDeliveredBefore("m1", T200);

            assertThat(store.isDelivered("m1", "file", "sent-again")).isFalse();
            assertThat(store.forgottenBefore("m1")).contains(T300);
        }

        @Test
        void aCorruptForgottenBeforeIsAnErrorNamingTheFile() throws IOException {
            Path file = dir.resolve("m1").resolve("forgotten-before");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "yesterday\n");

            assertThatThrownBy(() -> store().forgottenBefore("m1"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("corrupt");
        }
    }

    /** Since when a sink refuses an alert: monitor.dead-letter-after counts from its first refusal. */
    @Nested
    class FirstRefusals {

        private Path refusals(String monitor, String sink) {
            return dir.resolve(monitor).resolve("refused-" + sink + ".tsv");
        }

        @Test
        void anAlertRefusedForTheFirstTimeIsRefusedSinceNowAndKeepsThatTimeAtLaterRefusals() {
            FileStateStore store = store();

            assertThat(store.refusedSince("m1", "custom", List.of("a"), T100)).containsExactly(Map.entry("a", T100));
            assertThat(store.refusedSince("m1", "custom", List.of("a", "b"), T200))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("a", T100, "b", T200));
        }

        @Test
        void survivesRestartAsOneTabSeparatedLinePerAlert() throws IOException {
            store().refusedSince("m1", "custom", List.of("a", "b"), T100);

            assertThat(store().refusedSince("m1", "custom", List.of("b", "c"), T300))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("b", T100, "c", T300));
            assertThat(lines(refusals("m1", "custom"))).containsExactly("a\t100", "b\t100", "c\t300");
        }

        @Test
        void isPerSinkAndPerMonitor() {
            FileStateStore store = store();
            store.refusedSince("m1", "custom", List.of("a"), T100);

            assertThat(store.refusedSince("m1", "kafka", List.of("a"), T200)).containsExactly(Map.entry("a", T200));
            assertThat(store.refusedSince("m2", "custom", List.of("a"), T300)).containsExactly(Map.entry("a", T300));
        }

        @Test
        void forgettingDropsTheAlertsTheSinkHasHadSinceAndThoseFirstRefusedBeforeTheCutoff() throws IOException {
            FileStateStore store = store();
            store.refusedSince("m1", "custom", List.of("old"), T100);
            store.refusedSince("m1", "custom", List.of("delivered", "pending"), T200);
            store.refusedSince("m1", "kafka", List.of("delivered"), T200);
            store.recordDelivered("m1", "custom", "delivered", T200);

            store.forgetRefusals("m1", T200);

            assertThat(lines(refusals("m1", "custom"))).containsExactly("pending\t200");
            assertThat(lines(refusals("m1", "kafka"))).as("that sink has not had it").containsExactly("delivered\t200");
            assertThat(store().refusedSince("m1", "custom", List.of("old", "delivered", "pending"), T300))
                    .as("after a restart: forgotten ones start again")
                    .containsExactlyInAnyOrderEntriesOf(Map.of("old", T300, "delivered", T300, "pending", T200));
        }

        @Test
        void forgettingTheLastRefusalOfASinkRemovesItsFile() throws IOException {
            FileStateStore store = store();
            store.refusedSince("m1", "custom", List.of("a"), T200);
            store.recordDelivered("m1", "custom", "a", T200);

            store.forgetRefusals("m1", T100);

            assertThat(fileNames(dir.resolve("m1"))).doesNotContain("refused-custom.tsv");
            assertThat(store.refusedSince("m1", "custom", List.of("a"), T300)).containsExactly(Map.entry("a", T300));
        }
    }

    @Nested
    class Names {

        @ParameterizedTest
        @NullSource
        @ValueSource(strings = {"../x", "..", "a/b", "a\\b", "", " ", ".hidden", "-dash", "a b", "a\tb"})
        void unsafeMonitorNamesAreRefused(String monitor) {
            FileStateStore store = store();
            assertThatThrownBy(() -> store.watermark(monitor)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.saveWatermark(monitor, T100)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.isDelivered(monitor, "file", "1")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.recordDelivered(monitor, "file", "1", T100))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.forgetDeliveredBefore(monitor, T100))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @ParameterizedTest
        @NullSource
        @ValueSource(strings = {"../x", "a/b", "", ".hidden", "a b"})
        void unsafeSinkNamesAreRefused(String sink) {
            FileStateStore store = store();
            assertThatThrownBy(() -> store.isDelivered("m1", sink, "1")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.recordDelivered("m1", sink, "1", T100))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void refusalSaysWhatANameMayContain() {
            assertThatThrownBy(() -> store().watermark("../x"))
                    .hasMessageContaining("'../x'")
                    .hasMessageContaining("letters, digits");
        }

        @Test
        void refusedNamesWriteNothingOutsideTheFolder() throws IOException {
            Path inside = dir.resolve("state");
            FileStateStore store = new FileStateStore(inside);

            assertThatThrownBy(() -> store.saveWatermark("../escaped", T100)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.recordDelivered("m1", "../../escaped", "1", T100))
                    .isInstanceOf(IllegalArgumentException.class);

            assertThat(fileNames(dir)).doesNotContain("escaped");
        }

        @Test
        void safeNamesWithDotsDashesAndUnderscoresWork() {
            FileStateStore store = store();
            store.saveWatermark("Prod_monitor-1.eu", T100);
            store.recordDelivered("Prod_monitor-1.eu", "file_2-b.x", "1", T100);

            assertThat(store().watermark("Prod_monitor-1.eu")).contains(T100);
            assertThat(store().isDelivered("Prod_monitor-1.eu", "file_2-b.x", "1")).isTrue();
        }

        @Test
        void storeWithoutAFolderSaysWhichSettingIsMissing() {
            assertThatThrownBy(() -> new FileStateStore().watermark("m1"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("monitor.state-dir");
        }

        @Test
        void folderCanBeSetAsText() {
            FileStateStore store = new FileStateStore();
            store.setDirectory(dir.toString());
            store.saveWatermark("m1", T100);

            assertThat(store.getDirectory()).isEqualTo(dir);
            assertThat(new FileStateStore(dir).watermark("m1")).contains(T100);
        }
    }
}
