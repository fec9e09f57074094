package dev.tcjobmonitor.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The live heap of this JVM while something runs: a thread that forces a full GC every
 * {@code periodMillis} and notes the heap used right after it (what survives a full GC is live).
 * The peak of those samples, minus the live heap before, is the peak live set the work added. It
 * slows the work it watches: use it on a run that is not timed.
 */
final class HeapSampler implements AutoCloseable {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final long periodMillis;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peakLiveBytes;
    private volatile int samples;

    private HeapSampler(long periodMillis) {
        this.periodMillis = periodMillis;
        this.thread = new Thread(this::sample, "bench-heap-sampler");
        this.thread.setDaemon(true);
    }

    /** The live heap now (after two full GCs). */
    static long liveBytes() {
        System.gc();
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    static HeapSampler start(long periodMillis) {
        HeapSampler sampler = new HeapSampler(periodMillis);
        sampler.thread.start();
        return sampler;
    }

    private void sample() {
        while (running) {
            System.gc();
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            peakLiveBytes = Math.max(peakLiveBytes, used);
            samples++;
            try {
                Thread.sleep(periodMillis); // a benchmark's sampling period, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long peakLiveBytes() {
        return peakLiveBytes;
    }

    int samples() {
        return samples;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
    }
}
