package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ledger's keys and times: a number kept as a long answers exactly as its text would. */
class KeyTimesTest {

    @Test
    void aKeyIsFoundOnlyAsTheTextItWasGivenAs() {
        KeyTimes entries = new KeyTimes();
        entries.put("7", 100);
        entries.put("007", 200);
        entries.put("sha256:ab", 300);
        entries.put("0", 400);

        assertThat(entries.containsKey("7")).isTrue();
        assertThat(entries.containsKey("007")).as("a leading zero is another key").isTrue();
        assertThat(entries.containsKey("07")).isFalse();
        assertThat(entries.containsKey("+7")).isFalse();
        assertThat(entries.containsKey("-7")).isFalse();
        assertThat(entries.containsKey("0")).isTrue();
        assertThat(entries.containsKey("sha256:ab")).isTrue();
        assertThat(entries.size()).isEqualTo(4);
        assertThat(all(entries)).containsExactlyInAnyOrderEntriesOf(Map.of("7", 100L, "007", 200L, "sha256:ab", 300L, "0", 400L));
    }

    @Test
    void digitsOtherThanAsciiOnesAndTheCharactersBesideThemStayTextOfTheirOwn() {
        // Character.isDigit accepts Arabic-Indic and fullwidth digits; as numbers they would be
        // read wrongly (c - '0') and answer for "42"
        KeyTimes entries = new KeyTimes();
        entries.put("42", 1);
        entries.put("\u0664\u0662", 2);
        entries.put("\uFF14\uFF12", 3);
        entries.put("4/", 4);
        entries.put("4:", 5);
        entries.put("", 6);

        assertThat(KeyTimes.number("\u0664\u0662")).isEqualTo(-1);
        assertThat(KeyTimes.number("\uFF14\uFF12")).isEqualTo(-1);
        assertThat(KeyTimes.number("4/")).isEqualTo(-1);
        assertThat(KeyTimes.number("4:")).isEqualTo(-1);
        assertThat(all(entries)).containsExactlyInAnyOrderEntriesOf(Map.of("42", 1L, "\u0664\u0662", 2L, "\uFF14\uFF12", 3L,
                "4/", 4L, "4:", 5L, "", 6L));
    }

    @Test
    void numbersOfEighteenDigitsAreNumbersAndLongerOnesStayText() {
        KeyTimes entries = new KeyTimes();
        String eighteen = "999999999999999999";
        String nineteen = "9223372036854775807";
        String twenty = "99999999999999999999";
        entries.put(eighteen, 1);
        entries.put(nineteen, 2);
        entries.put(twenty, 3);

        assertThat(KeyTimes.number(eighteen)).isEqualTo(999_999_999_999_999_999L);
        assertThat(KeyTimes.number(nineteen)).isEqualTo(-1);
        assertThat(all(entries)).containsExactlyInAnyOrderEntriesOf(Map.of(eighteen, 1L, nineteen, 2L, twenty, 3L));
    }

    @Test
    void putIfAbsentKeepsTheFirstTimeAndSaysWhatItWas() {
        KeyTimes entries = new KeyTimes();
        assertThat(entries.putIfAbsent("42", 10)).isNull();
        assertThat(entries.putIfAbsent("42", 20)).isEqualTo(10L);
        assertThat(entries.putIfAbsent("id-42", 30)).isNull();
        assertThat(entries.putIfAbsent("id-42", 40)).isEqualTo(30L);
        entries.put("42", 50);
        assertThat(all(entries)).containsExactlyInAnyOrderEntriesOf(Map.of("42", 50L, "id-42", 30L));
    }

    @Test
    void removedEntriesAreGoneAndTheOthersStillFoundAcrossGrowthAndRebuilds() {
        // as a HashMap would answer, through growth from the smallest table, removals in the
        // middle of probe runs, keys added again after their removal, and rebuilds after removals
        KeyTimes entries = new KeyTimes();
        Map<String, Long> expected = new HashMap<>();
        Random random = new Random(12);
        for (int round = 0; round < 6; round++) {
            for (int i = 0; i < 20_000; i++) {
                String key = random.nextInt(10) == 0 ? "job-" + random.nextInt(50_000) : Long.toString(random.nextInt(50_000));
                long time = random.nextInt(1_000);
                assertThat(entries.putIfAbsent(key, time)).isEqualTo(expected.putIfAbsent(key, time));
            }
            long before = 100 + round * 150L;
            assertThat(entries.countBefore(before)).isEqualTo(expected.values().stream().filter(t -> t < before).count());
            boolean any = expected.values().removeIf(t -> t < before);
            assertThat(entries.removeBefore(before)).isEqualTo(any);
            assertThat(entries.size()).isEqualTo(expected.size());
            for (int key = 0; key < 50_000; key++) {
                assertThat(entries.containsKey(Integer.toString(key))).isEqualTo(expected.containsKey(Integer.toString(key)));
            }
        }
        assertThat(all(entries)).containsExactlyInAnyOrderEntriesOf(expected);
        boolean odd = entries.removeIf((key, time) -> key.endsWith("1"));
        assertThat(odd).isEqualTo(expected.keySet().removeIf(key -> key.endsWith("1")));
        assertThat(all(entries)).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void aLedgerOfHalfAMillionIdsTakesAFractionOfTheHeapOfAMapOfStrings() {
        // the 500,000-failure backfill's ledger: two longs a slot, the table at most half full
        KeyTimes entries = new KeyTimes();
        for (long id = 1_000_000; id < 1_500_000; id++) {
            entries.putIfAbsent(Long.toString(id), 1_700_000_000L);
        }
        assertThat(entries.size()).isEqualTo(500_000);
        assertThat(entries.tableBytes()).isLessThanOrEqualTo(16L * 1024 * 1024);
    }

    private static Map<String, Long> all(KeyTimes entries) {
        Map<String, Long> all = new HashMap<>();
        entries.forEach((key, time) -> assertThat(all.put(key, time)).as("each key once").isNull());
        return all;
    }
}
