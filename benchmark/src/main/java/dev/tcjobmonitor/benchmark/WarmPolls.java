package dev.tcjobmonitor.benchmark;

import dev.tcjobmonitor.Application;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.sink.JsonLinesFile;
import dev.tcjobmonitor.state.FileStateStore;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * (c) The warm per-poll cost inside a running monitor: the real application (shipped YAML,
 * default monitor) started in this JVM beside the simulator, polls run through Quartz and the
 * route exactly as {@code --once} runs them. After warm-up, polls over N (each with a fresh state
 * folder and alert folder: a first poll delivering everything) and polls over an empty window (the
 * window after a poll: watermark minus overlap holds no failure) are timed.
 */
final class WarmPolls {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** One timed piece of work in this JVM. */
    record Figures(double wallSeconds, double processCpuSeconds, double monitorCpuSeconds, double monitorAllocatedMb,
            double gcSeconds) {
    }

    record Result(int pageSize, double startSeconds, List<Figures> fullPolls, List<Figures> emptyPolls,
            Figures heapPoll, List<Figures> bareFull, long barePages, List<Figures> bareEmpty, double baselineLiveMb,
            double pollPeakLiveMb, double bareFetchPeakLiveMb, double retainedAfterPollMb, int heapSamples, long heapSamplingMillis) {

        /** The simulator's wall time per page request, from the bare fetches. */
        double bareSecondsPerPage() {
            return Benchmark.medianOf(bareFull, Figures::wallSeconds) / barePages;
        }
    }

    private final Benchmark.Setup setup;
    private final int pageSize;
    private final Path dir;
    private final long heapSamplingMillis;
    private Main main;
    private CamelContext context;
    private FileStateStore stateStore;
    private JsonLinesFile alertFile;
    private int folders;

    WarmPolls(Benchmark.Setup setup, int pageSize, Path dir, long heapSamplingMillis) {
        this.setup = setup;
        this.pageSize = pageSize;
        this.dir = dir;
        this.heapSamplingMillis = heapSamplingMillis;
    }

    /**
     * Runs (c) for one page size in a JVM of its own (default JVM options, like the children of (a)):
     * its own simulator with the same N, its own monitor, nothing left over from another Camel
     * context. Its progress lines go to this stderr; its result comes back as JSON.
     */
    static Result inOwnJvm(int n, int pageSize, int warmups, int fullRuns, int emptyRuns, int barePages, long heapSamplingMillis,
            Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        Path resultFile = dir.resolveSibling(dir.getFileName() + ".json");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbench.t0=" + Benchmark.START_MILLIS, "-cp", System.getProperty("java.class.path"),
                WarmPolls.class.getName(), Integer.toString(n), Integer.toString(pageSize), Integer.toString(warmups),
                Integer.toString(fullRuns), Integer.toString(emptyRuns), Integer.toString(barePages), Long.toString(heapSamplingMillis),
                dir.toString(), resultFile.toString());
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolveSibling(dir.getFileName() + ".stdout.txt").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("(c) at page size " + pageSize + " failed, exit " + process.exitValue());
        }
        Result result = new com.fasterxml.jackson.databind.ObjectMapper().readValue(resultFile.toFile(), Result.class);
        java.nio.file.Files.delete(resultFile);
        Benchmark.deleteTree(dir);
        return result;
    }

    /** Entry point of {@link #inOwnJvm}. */
    public static void main(String[] args) throws Exception {
        Benchmark.quietLogging();
        int n = Integer.parseInt(args[0]);
        try (dev.tcjobmonitor.simulator.ThreatConnectSimulator simulator = dev.tcjobmonitor.simulator.ThreatConnectSimulator.start()
                .withHmacUser(Benchmark.ACCESS_ID, Benchmark.SECRET_KEY)) {
            Benchmark.seed(simulator, n);
            Result result = new WarmPolls(new Benchmark.Setup(simulator, n), Integer.parseInt(args[1]), Path.of(args[7]),
                    Long.parseLong(args[6])).run(Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            new com.fasterxml.jackson.databind.ObjectMapper().writeValue(Path.of(args[8]).toFile(), result);
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * @param warmups   rounds of (poll over N, empty poll) before anything is timed
     * @param fullRuns  timed polls over N
     * @param emptyRuns timed empty-window polls
     * @param barePages at most this many pages per bare fetch (the simulator's cost per request
     *                  does not depend on how many pages follow)
     */
    Result run(int warmups, int fullRuns, int emptyRuns, int barePages) throws Exception {
        Properties settings = Benchmark.inProcessSettings(setup.simulator(), pageSize, dir.resolve("state-0"));
        settings.setProperty("sink.file.directory", dir.resolve("alerts-0").toString());
        long started = System.nanoTime();
        main = Application.createMain(settings);
        main.start();
        double startSeconds = (System.nanoTime() - started) / 1e9;
        try {
            context = main.getCamelContext();
            stateStore = fileStateStore(context.getRegistry().lookupByName("tcStateStore"));
            alertFile = context.getRegistry().lookupByNameAndType("tcJsonLines", JsonLinesFile.class);

            for (int i = 0; i < warmups; i++) {
                freshState();
                Figures full = timed(this::fullPoll);
                Figures empty = timed(this::emptyPoll);
                Benchmark.progress("    warm-up %d/%d (page size %,d): poll over N %.2f s, empty poll %.0f ms", i + 1, warmups,
                        pageSize, full.wallSeconds(), empty.wallSeconds() * 1000);
            }
            List<Figures> full = new ArrayList<>();
            for (int i = 0; i < fullRuns; i++) {
                freshState();
                full.add(timed(this::fullPoll));
                Benchmark.progress("    poll over N %d/%d (page size %,d): %.2f s", i + 1, fullRuns, pageSize, full.get(i).wallSeconds());
            }
            // the live heap a poll over N adds, sampled by full GCs (timed too, but slowed by the sampling)
            freshState();
            double baseline = HeapSampler.liveBytes() / 1048576.0;
            double peak;
            int samples;
            Figures heapPoll;
            try (HeapSampler sampler = HeapSampler.start(heapSamplingMillis)) {
                heapPoll = timed(this::fullPoll);
                peak = sampler.peakLiveBytes() / 1048576.0;
                samples = sampler.samples();
            }
            double retained = HeapSampler.liveBytes() / 1048576.0;
            Benchmark.progress("    heap-sampled poll over N (page size %,d): %.2f s, live heap %.0f MB before, peak +%.1f MB, kept +%.1f MB",
                    pageSize, heapPoll.wallSeconds(), baseline, peak - baseline, retained - baseline);

            // the window after that poll is empty: watermark minus overlap holds no failure
            List<Figures> empty = new ArrayList<>();
            for (int i = 0; i < emptyRuns; i++) {
                empty.add(timed(this::emptyPoll));
            }
            Benchmark.progress("    %d empty-window polls (page size %,d): median %.1f ms", emptyRuns, pageSize,
                    1000 * Benchmark.medianOf(empty, Figures::wallSeconds));

            BareFetch bare = new BareFetch(setup.simulator().baseUrl(), Benchmark.ACCESS_ID, Benchmark.SECRET_KEY);
            List<Figures> bareFull = new ArrayList<>();
            List<Figures> bareEmpty = new ArrayList<>();
            long[] pages = new long[1];
            for (int i = 0; i < 3; i++) {
                Figures f = timed(() -> {
                    pages[0] = bare.fetch(Instant.now().minus(Duration.parse(Benchmark.LOOKBACK)), pageSize, barePages)[0];
                });
                Figures e = timed(() -> {
                    bare.fetch(Instant.now().minus(Duration.ofMinutes(10)), pageSize, barePages);
                });
                if (i > 0) { // the first is a warm-up of the harness's own client
                    bareFull.add(f);
                    bareEmpty.add(e);
                }
            }
            double bareBaseline = HeapSampler.liveBytes() / 1048576.0;
            double barePeak;
            try (HeapSampler sampler = HeapSampler.start(heapSamplingMillis)) {
                bare.fetch(Instant.now().minus(Duration.parse(Benchmark.LOOKBACK)), pageSize, barePages);
                barePeak = sampler.peakLiveBytes() / 1048576.0;
            }
            return new Result(pageSize, startSeconds, full, empty, heapPoll, bareFull, pages[0], bareEmpty, baseline,
                    peak - baseline, barePeak - bareBaseline, retained - baseline, samples, heapSamplingMillis);
        } finally {
            main.stop();
        }
    }

    private void fullPoll() throws Exception {
        Poll poll = Application.pollAllNow(context).get(0);
        if (poll.failure().isPresent() || poll.newFailures() != setup.n()) {
            throw new IllegalStateException("a poll over N delivered " + poll.newFailures() + " of " + setup.n() + ": "
                    + poll.failure().orElse("no failure"));
        }
    }

    private void emptyPoll() throws Exception {
        Poll poll = Application.pollAllNow(context).get(0);
        if (poll.failure().isPresent() || poll.executions() != 0) {
            throw new IllegalStateException("an empty-window poll saw " + poll.executions() + " executions: "
                    + poll.failure().orElse("no failure"));
        }
    }

    /**
     * The FileStateStore behind the bean {@code tcStateStore}: the bean itself, or the store a
     * wrapper (such as a store chosen by settings) holds in one of its fields.
     */
    static FileStateStore fileStateStore(Object bean) throws ReflectiveOperationException {
        if (bean instanceof FileStateStore store) {
            return store;
        }
        if (bean == null) {
            throw new IllegalStateException("no bean tcStateStore");
        }
        for (Class<?> type = bean.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (!java.lang.reflect.Modifier.isStatic(field.getModifiers()) && !field.getType().isPrimitive()) {
                    field.setAccessible(true);
                    if (field.get(bean) instanceof FileStateStore store) {
                        return store;
                    }
                }
            }
        }
        throw new IllegalStateException("tcStateStore (" + bean.getClass().getName() + ") holds no FileStateStore");
    }

    /**
     * Points the running monitor's state store and file sink at new, empty folders, so the next poll
     * is a first poll over the whole lookback delivering all N. The store caches each ledger it has
     * read by path; that cache is emptied (by reflection, benchmark only) so old ledgers do not pile
     * up in the heap.
     */
    @SuppressWarnings("unchecked")
    private void freshState() throws IOException, ReflectiveOperationException {
        int previous = folders++;
        Path state = dir.resolve("state-" + folders);
        Path alerts = dir.resolve("alerts-" + folders);
        stateStore.setDirectory(state.toString());
        alertFile.setDirectory(alerts.toString());
        Field ledgers = FileStateStore.class.getDeclaredField("ledgers");
        ledgers.setAccessible(true);
        synchronized (stateStore) {
            ((Map<Path, ?>) ledgers.get(stateStore)).clear();
        }
        Benchmark.deleteTree(dir.resolve("state-" + previous));
        Benchmark.deleteTree(dir.resolve("alerts-" + previous));
    }

    interface Work {
        void run() throws Exception;
    }

    static Figures timed(Work work) throws Exception {
        long gcBefore = gcMillis();
        double cpuBefore = OS.getProcessCpuTime() / 1e9;
        double[] monitorBefore = monitorThreads();
        long started = System.nanoTime();
        work.run();
        double wall = (System.nanoTime() - started) / 1e9;
        double[] monitorAfter = monitorThreads();
        double cpu = OS.getProcessCpuTime() / 1e9 - cpuBefore;
        return new Figures(wall, cpu, monitorAfter[0] - monitorBefore[0], (monitorAfter[1] - monitorBefore[1]) / 1048576.0,
                (gcMillis() - gcBefore) / 1000.0);
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /**
     * CPU seconds and allocated bytes of every live thread that is not the simulator's (its pool
     * "tc-simulator" and the HTTP server's dispatcher) nor the benchmark's own helpers. GC and JIT
     * threads are not Java threads and are not in it; threads that ended are not either.
     */
    private static double[] monitorThreads() {
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        double cpu = 0;
        double allocated = 0;
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null) {
                continue;
            }
            String name = infos[i].getThreadName();
            if (name.startsWith("tc-simulator") || name.startsWith("HTTP-Dispatcher") || name.startsWith("bench-")) {
                continue;
            }
            long time = THREADS.getThreadCpuTime(ids[i]);
            long bytes = THREADS.getThreadAllocatedBytes(ids[i]);
            if (time > 0) {
                cpu += time / 1e9;
            }
            if (bytes > 0) {
                allocated += bytes;
            }
        }
        return new double[] {cpu, allocated};
    }
}
