package dev.tcjobmonitor.state;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Keys with an epoch second each: a sink's delivered ids, its first refusals. ThreatConnect's
 * execution ids are numbers, and a ledger holds one entry per alert a sink took over the retention
 * period (a month of a busy instance, a backfill of 500,000 failures): kept as a {@code HashMap<String,
 * Long>}, that is about 110 bytes of heap an entry, which the serial GC copies when young and
 * scans when old. Here a number's entry is two longs in an open-addressing table (at most 32 bytes
 * with the table's free half), and any other key (a {@code sha256:} key, a text id) sits in a
 * map beside it. Not thread-safe: used under the lock of its {@link FileStateStore}.
 */
final class KeyTimes {

    /** What a caller does with each entry. */
    @FunctionalInterface
    interface Consumer {
        void accept(String key, long epochSecond);
    }

    /** Which entries {@link #removeIf} removes. */
    @FunctionalInterface
    interface Predicate {
        boolean test(String key, long epochSecond);
    }

    /** A slot never used: a lookup stops here. */
    private static final long FREE = 0;
    /** A slot whose entry was removed: a lookup goes on past it, an insertion may take it. */
    private static final long GONE = -1;
    /** The longest key kept as a number: every 18-digit number fits a long with room for the +1. */
    private static final int MAX_DIGITS = 18;
    private static final int MIN_CAPACITY = 16;

    /** Per slot: the number + 1 (so that 0 is FREE), or FREE, or GONE. */
    private long[] numbers;
    private long[] times;
    private int shift;
    private int count;
    /** Slots not FREE: entries and GONE ones; the table is rebuilt when three quarters are. */
    private int used;
    private final Map<String, Long> others = new HashMap<>();

    KeyTimes() {
        this(0);
    }

    /** @param expected about how many entries are coming (a file's lines), to size the table once */
    KeyTimes(int expected) {
        allocate(capacityFor(expected));
    }

    int size() {
        return count + others.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    boolean containsKey(String key) {
        long number = number(key);
        return number >= 0 ? slotOf(number) >= 0 : others.containsKey(key);
    }

    /** Adds the entry if the key has none; returns the epoch second it had, or null when it was added. */
    Long putIfAbsent(String key, long epochSecond) {
        long number = number(key);
        if (number < 0) {
            return others.putIfAbsent(key, epochSecond);
        }
        int slot = slotOf(number);
        if (slot >= 0) {
            return times[slot];
        }
        insert(number, epochSecond);
        return null;
    }

    /** Sets the key's epoch second, added or replaced. */
    void put(String key, long epochSecond) {
        long number = number(key);
        if (number < 0) {
            others.put(key, epochSecond);
            return;
        }
        int slot = slotOf(number);
        if (slot >= 0) {
            times[slot] = epochSecond;
        } else {
            insert(number, epochSecond);
        }
    }

    /** Every entry, numbers first (each as the text it was given as), in no particular order. */
    void forEach(Consumer action) {
        for (int slot = 0; slot < numbers.length; slot++) {
            if (numbers[slot] > 0) {
                action.accept(Long.toString(numbers[slot] - 1), times[slot]);
            }
        }
        others.forEach(action::accept);
    }

    /** The heap the numbers' table takes, in bytes (its arrays' contents). */
    long tableBytes() {
        return 16L * numbers.length;
    }

    /** How many entries have an epoch second before {@code before}. */
    long countBefore(long before) {
        long old = 0;
        for (int slot = 0; slot < numbers.length; slot++) {
            if (numbers[slot] > 0 && times[slot] < before) {
                old++;
            }
        }
        for (long epochSecond : others.values()) {
            if (epochSecond < before) {
                old++;
            }
        }
        return old;
    }

    /** Removes the entries with an epoch second before {@code before}; true when there were any. */
    boolean removeBefore(long before) {
        return removeIf((key, epochSecond) -> epochSecond < before);
    }

    /** Removes the entries {@code filter} accepts; true when there were any. */
    boolean removeIf(Predicate filter) {
        boolean removed = false;
        for (int slot = 0; slot < numbers.length; slot++) {
            if (numbers[slot] > 0 && filter.test(Long.toString(numbers[slot] - 1), times[slot])) {
                numbers[slot] = GONE;
                count--;
                removed = true;
            }
        }
        for (Iterator<Map.Entry<String, Long>> entries = others.entrySet().iterator(); entries.hasNext(); ) {
            Map.Entry<String, Long> entry = entries.next();
            if (filter.test(entry.getKey(), entry.getValue())) {
                entries.remove();
                removed = true;
            }
        }
        if (removed && count < used / 4) {
            // mostly removed slots now: lookups would walk past them for nothing
            rebuild(capacityFor(count));
        }
        return removed;
    }

    /**
     * The key as a number, or -1 when it is not one as {@link Long#toString} writes it (a sign, a
     * leading zero, more than 18 digits): such a key keeps its own text in the map beside the table.
     */
    static long number(String key) {
        int length = key.length();
        if (length == 0 || length > MAX_DIGITS || (key.charAt(0) == '0' && length > 1)) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            int digit = key.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private int slotOf(long number) {
        long stored = number + 1;
        int mask = numbers.length - 1;
        for (int slot = home(stored); ; slot = (slot + 1) & mask) {
            long here = numbers[slot];
            if (here == stored) {
                return slot;
            }
            if (here == FREE) {
                return -1;
            }
        }
    }

    /** Adds a number known to be absent. */
    private void insert(long number, long epochSecond) {
        if (used + 1 > numbers.length - (numbers.length >> 2)) {
            rebuild(capacityFor(count + 1));
        }
        long stored = number + 1;
        int mask = numbers.length - 1;
        int slot = home(stored);
        while (numbers[slot] > 0) {
            slot = (slot + 1) & mask;
        }
        if (numbers[slot] == FREE) {
            used++;
        }
        numbers[slot] = stored;
        times[slot] = epochSecond;
        count++;
    }

    /** Fibonacci hashing: consecutive ids spread over the whole table. */
    private int home(long stored) {
        return (int) ((stored * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** A power of two that holds {@code entries} at most half full. */
    private static int capacityFor(int entries) {
        int capacity = MIN_CAPACITY;
        while (capacity < 2L * entries) {
            capacity <<= 1;
        }
        return capacity;
    }

    private void allocate(int capacity) {
        numbers = new long[capacity];
        times = new long[capacity];
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        used = 0;
    }

    private void rebuild(int capacity) {
        long[] oldNumbers = numbers;
        long[] oldTimes = times;
        allocate(Math.max(capacity, MIN_CAPACITY));
        count = 0;
        for (int slot = 0; slot < oldNumbers.length; slot++) {
            if (oldNumbers[slot] > 0) {
                insert(oldNumbers[slot] - 1, oldTimes[slot]);
            }
        }
    }
}
