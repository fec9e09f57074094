package dev.tcjobmonitor.benchmark;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark ({@code benchmark/run.sh}; figures in benchmark/RESULTS.md): one run, side by side, of
 * <ol type="a">
 * <li>the monitor's {@code --once} as a whole process (the packaged jar, default JVM options)
 * delivering N failures to the file sink;</li>
 * <li>{@link FloorMonitor}, a minimal hand-written program doing the same duties;</li>
 * <li>(p) {@code benchmark/python/floor_monitor.py}, a plain Python script (standard library only)
 * doing them too, run beside (a) and (b) when there is a Python 3 interpreter;</li>
 * <li>the warm per-poll cost inside a running monitor (in this JVM), for two page sizes, with the
 * live heap a poll adds;</li>
 * </ol>
 * plus start to first poll done of {@code --once} in the default configuration (plain, and with an
 * AppCDS archive), and the idle daemon's RSS and CPU. Medians of several runs. Parameters:
 * environment variables or {@code --name=value} arguments (see {@link Config}).
 */
public final class Benchmark {

    static final String ACCESS_ID = "bench-api-user";
    static final String SECRET_KEY = "Bench-S3cr3t-Key/+=";
    /** A cron that does not fire during the benchmark: polls run when the benchmark asks. */
    static final String NEVER = "0 0 0 1 1 ? 2099";
    /** How far back the first poll of (a), (b), (c) looks: all N failures are inside. */
    static final String LOOKBACK = "P1D";
    private static final long[] JOBS = {100, 174, 201, 202, 305};
    private static final String[] MESSAGES = {
            "Failed for status (404)\n",
            "Connection to https://feeds.example.org/indicators timed out after 30s\n",
            "API credentials for the enrichment service were rejected (401)\n",
            "Playbook server unavailable\n",
            "Out of memory while parsing feed: 2.1 GB CSV \u2013 \"quoted\" \\ backslash\n"};
    private static final Pattern DETECTED_AT = Pattern.compile("\"detectedAt\":\"[^\"]*\"");
    private static final Pattern ID = Pattern.compile("^\\{\"id\":(\\d+),");
    /** When the benchmark started (a child of it gets the parent's start as -Dbench.t0). */
    static final long START_MILLIS = Long.getLong("bench.t0", System.currentTimeMillis());

    /** The simulator of (a), (b), (c), holding N failed executions. */
    record Setup(ThreatConnectSimulator simulator, int n) {
    }

    /** Parameters: {@code --n=}, or the environment variable {@code BENCH_N}; and so on. */
    record Config(int n, int pageSize, int runs, int idleSeconds, int warmups, int warmRuns, int secondPageSize, int secondPageRuns,
            String profile, Set<String> phases, int kafkaN, Path python, Path out, Path build, Path product,
            int bigN, List<Integer> monitors, int fleetSeconds, int fleetRuns, List<Variant> variants) {

        static Config parse(String[] args) {
            Map<String, String> given = new LinkedHashMap<>();
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    System.out.println("""
                            benchmark/run.sh [--n=100000] [--page-size=10000] [--runs=5] [--idle-seconds=60]
                                             [--warmups=2] [--warm-runs=min(runs,3)]
                                             [--second-page-size=1000] [--second-page-runs=0]
                                             [--profile=auto|always|never] [--phases=once,warm,startup,idle,big,fleet]
                                             [--kafka-n=20000] [--python=/usr/bin/python3] [--out=target/benchmark-run]
                                             [--big-n=500000] [--monitors=1,100] [--fleet-seconds=60] [--fleet-runs=1]
                                             [--variants='jvm-defaults:{jvm-own-defaults}']
                              once     (a) monitor --once (the launcher, and plain java -jar) vs (b) the floor and
                                       (p) a plain Python script (benchmark/python, run by --python; skipped when
                                       that is missing), N failures, medians of --runs
                                       (--profile: a JFR-profiled (a) run when (a)/(b) wall > 1.5, always, never)
                              warm     (c) warm polls in a running monitor: at --page-size, --warmups rounds, then
                                       --warm-runs timed polls over N and --runs empty-window polls; at
                                       --second-page-size (for the heap by page size) one heap-sampled poll over
                                       N, --second-page-runs timed ones (each costs about N/page-size simulator
                                       requests of ~0.4 s at N=100000) and --runs empty-window polls
                              startup  start to first poll done of --once, default configuration: the launcher (the
                                       build's class archive), plain java -jar, each also with C1 only
                              idle     the daemon's RSS and CPU over --idle-seconds after its first poll (the
                                       launcher, then plain java -jar)
                              big      the backfill: (a) the launcher, and with each of
                                       --variants, vs (b) and (p) at --big-n failures, medians of --runs
                              fleet    one daemon with each of --monitors monitors
                                       (templatedRoutes) polling every 10 s: RSS --fleet-seconds after start, CPU,
                                       each poll's time from its cron fire; the launcher and each of --variants,
                                       taking turns, --fleet-runs rounds
                              kafka    (not in the default phases) monitor --once (the launcher, and with each of
                                       --variants) delivering --kafka-n failures to
                                       the Kafka sink of a local KRaft broker (acks=all) at --page-size: alerts/s
                                       from the first page request to the last record the broker appended,
                                       medians of --runs
                            Each also as an environment variable: BENCH_N, BENCH_PAGE_SIZE, BENCH_RUNS,
                            BENCH_IDLE_SECONDS, BENCH_WARMUPS, BENCH_WARM_RUNS, BENCH_SECOND_PAGE_SIZE, BENCH_SECOND_PAGE_RUNS,
                            BENCH_PROFILE, BENCH_PHASES, BENCH_KAFKA_N, BENCH_PYTHON, BENCH_OUT, BENCH_BIG_N, BENCH_MONITORS,
                            BENCH_FLEET_SECONDS, BENCH_FLEET_RUNS, BENCH_VARIANTS (arguments win).
                            --variants: JVM options the launcher is also run with (in JAVA_OPTS, over its defaults) in the
                            once, big, startup, idle and fleet phases, taking turns with it run by run:
                            name:options;name:options (empty: none). The default puts back the JVM's own defaults."""
                            .replace("{jvm-own-defaults}", JVM_OWN_DEFAULTS));
                    System.exit(0);
                }
                if (!arg.startsWith("--") || arg.indexOf('=') < 0) {
                    throw new IllegalArgumentException("arguments are --name=value, not '" + arg + "' (see --help)");
                }
                given.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            int runs = Integer.parseInt(value(given, "runs", "5"));
            Config config = new Config(
                    Integer.parseInt(value(given, "n", "100000")),
                    Integer.parseInt(value(given, "page-size", "10000")),
                    runs,
                    Integer.parseInt(value(given, "idle-seconds", "60")),
                    Integer.parseInt(value(given, "warmups", "2")),
                    Integer.parseInt(value(given, "warm-runs", Integer.toString(Math.min(runs, 3)))),
                    Integer.parseInt(value(given, "second-page-size", "1000")),
                    Integer.parseInt(value(given, "second-page-runs", "0")),
                    value(given, "profile", "auto"),
                    Set.of(value(given, "phases", "once,warm,startup,idle,big,fleet").split(",")),
                    Integer.parseInt(value(given, "kafka-n", "20000")),
                    Path.of(value(given, "python", "/usr/bin/python3")),
                    Path.of(value(given, "out", "target/benchmark-run")).toAbsolutePath(),
                    // the harness's own build (classes, lib/, the floor's classes) and the product's, whose jar,
                    // launcher and class archive the children run (benchmark/run.sh sets both)
                    Path.of(System.getProperty("bench.build", "benchmark/target")).toAbsolutePath(),
                    Path.of(System.getProperty("bench.product", "target")).toAbsolutePath(),
                    Integer.parseInt(value(given, "big-n", "500000")),
                    Stream.of(value(given, "monitors", "1,100").split(",")).map(String::trim).map(Integer::valueOf).toList(),
                    Integer.parseInt(value(given, "fleet-seconds", "60")),
                    Integer.parseInt(value(given, "fleet-runs", "1")),
                    Variant.parse(value(given, "variants", "jvm-defaults:" + JVM_OWN_DEFAULTS)));
            if (!given.keySet().stream().allMatch(key -> Set.of("n", "page-size", "runs", "idle-seconds", "warmups", "warm-runs",
                    "second-page-size", "second-page-runs", "profile", "phases", "kafka-n", "python", "out",
                    "big-n", "monitors", "fleet-seconds", "fleet-runs", "variants").contains(key))) {
                throw new IllegalArgumentException("unknown parameter in " + given.keySet() + " (see --help)");
            }
            return config;
        }

        private static String value(Map<String, String> given, String name, String defaultValue) {
            String fromEnv = System.getenv("BENCH_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
            return given.getOrDefault(name, fromEnv == null || fromEnv.isBlank() ? defaultValue : fromEnv);
        }

        Path jar() {
            return product.resolve("tc-job-monitor.jar");
        }
    }

    /**
     * JAVA_OPTS that put back, over the launcher's default JVM options (src/main/dist/tc-job-monitor), what
     * the JVM chooses by itself on a machine of 2 cores or more and 2 GB or more: G1, C2 (tiered), an
     * initial heap of 1/64 of memory (naming it drops the launcher's -Xms32m), heap free ratios of 40 and 70 %.
     */
    static final String JVM_OWN_DEFAULTS = "-XX:+UseG1GC -XX:TieredStopAtLevel=4 -XX:InitialRAMPercentage=1.5625"
            + " -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70";

    /** The launcher started with {@code jvmOptions} in JAVA_OPTS, beside it as it ships. */
    record Variant(String id, List<String> jvmOptions) {

        static List<Variant> parse(String spec) {
            List<Variant> variants = new ArrayList<>();
            for (String one : spec.split(";")) {
                if (one.isBlank()) {
                    continue;
                }
                int colon = one.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("--variants: name:options;name:options, not '" + one + "'");
                }
                variants.add(new Variant(one.substring(0, colon).trim(),
                        List.of(one.substring(colon + 1).trim().split("\\s+")).stream().filter(o -> !o.isEmpty()).toList()));
            }
            return List.copyOf(variants);
        }

        String how() {
            return "the launcher with `JAVA_OPTS=\"" + String.join(" ", jvmOptions) + "\"` (" + id + ")";
        }
    }

    private final Config config;
    private final StringBuilder report = new StringBuilder();
    private final List<String> csv = new ArrayList<>(List.of("phase,run,exit,wall_s,cpu_s,user_s,sys_s,max_rss_mb,to_camel_started_s,to_poll_done_s,poll_own_s"));

    private Benchmark(Config config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.parse(args);
        quietLogging();
        try {
            new Benchmark(config).run();
        } catch (Exception | Error e) {
            progress("FAILED: %s", e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    // --- the run --------------------------------------------------------------------------------

    private void run() throws Exception {
        deleteTree(config.out());
        Files.createDirectories(config.out());
        if (!Files.isRegularFile(config.jar())) {
            throw new IllegalStateException(config.jar() + " is missing: build the product with mvn install (benchmark/run.sh does)");
        }
        header();

        if (config.phases().contains("once") || config.phases().contains("warm")) {
            onceAndWarm();
        }
        if (config.phases().contains("big")) {
            try (ThreatConnectSimulator simulator = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET_KEY)) {
                long seeding = System.nanoTime();
                seed(simulator, config.bigN());
                progress("simulator seeded with %,d failed executions in %.1f s", config.bigN(), (System.nanoTime() - seeding) / 1e9);
                onceVersusFloor(simulator, config.bigN(), "big");
            }
        }
        if (config.phases().contains("kafka")) {
            kafkaThroughput();
        }
        if (config.phases().contains("fleet")) {
            new FleetPhase(config, this::line).run();
        }
        if (config.phases().contains("startup") || config.phases().contains("idle")) {
            try (ThreatConnectSimulator small = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET_KEY)) {
                int failures = seedTypicalHour(small);
                double startup = 5;
                if (config.phases().contains("startup")) {
                    startup = median(startup(small, failures), result -> result.secondsTo(Child.POLL_DONE)); // the launcher
                }
                if (config.phases().contains("idle")) {
                    idle(small, startup, Launch.LAUNCHER, List.of(), Launch.LAUNCHER.how);
                    for (Variant variant : config.variants()) {
                        idle(small, startup + 1, Launch.LAUNCHER, variant.jvmOptions(), variant.how());
                    }
                    // plain java -jar starts about a second later than the launcher: its first fire too
                    idle(small, startup + 1, Launch.JAVA_JAR, List.of(), Launch.JAVA_JAR.how);
                }
            }
        }
        line("Load average at the end: %s.", Procfs.loadAverage());
        Files.writeString(config.out().resolve("results.md"), report);
        Files.write(config.out().resolve("runs.csv"), csv);
        System.out.println();
        System.out.println(report);
        progress("done; results in %s", config.out());
    }

    /** (a) and (b), then (c): all against one simulator holding N failed executions. */
    private void onceAndWarm() throws Exception {
        if (config.phases().contains("once")) {
            // (c) seeds a simulator of its own in its own JVM: this one serves (a) and (b) only
            try (ThreatConnectSimulator simulator = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET_KEY)) {
                long seeding = System.nanoTime();
                seed(simulator, config.n());
                progress("simulator seeded with %,d failed executions in %.1f s", config.n(), (System.nanoTime() - seeding) / 1e9);
                onceVersusFloor(simulator, config.n(), "once");
            }
        }
        if (config.phases().contains("warm")) {
            List<WarmPolls.Result> warm = new ArrayList<>();
            for (int pageSize : List.of(config.pageSize(), config.secondPageSize())) {
                if (pageSize <= 0 || warm.stream().anyMatch(result -> result.pageSize() == pageSize)) {
                    continue;
                }
                progress("(c) warm polls in a running monitor, page size %,d", pageSize);
                warm.add(pageSize == config.pageSize()
                        ? WarmPolls.inOwnJvm(config.n(), pageSize, config.warmups(), config.warmRuns(), config.runs(),
                                Integer.MAX_VALUE, 500, config.out().resolve("c-warm-" + pageSize))
                        : WarmPolls.inOwnJvm(config.n(), pageSize, 0, config.secondPageRuns(), config.runs(), 10, 1000,
                                config.out().resolve("c-warm-" + pageSize)));
            }
            reportWarm(warm);
        }
    }

    /**
     * (a), (b) and (p) over {@code n} failures, interleaved, verified, compared; the launcher also with
     * each of the variants' JVM options (and as plain java -jar in the once phase); then the profile
     * when (a) is much slower. The programs take turns run by run, so the load of the machine falls on
     * each alike.
     */
    private void onceVersusFloor(ThreatConnectSimulator simulator, int n, String phase) throws Exception {
        boolean big = phase.equals("big");
        List<WarmPolls.Figures> serving = simulatorShare(simulator, n);
        String noPython = pythonMissing();
        if (noPython != null) {
            progress("(p) the plain Python script is skipped: %s", noPython);
        }

        List<Child.Result> monitor = new ArrayList<>();
        List<Child.Result> plainJar = new ArrayList<>();
        List<Child.Result> floor = new ArrayList<>();
        List<Child.Result> python = new ArrayList<>();
        Map<Variant, List<Child.Result>> variants = new LinkedHashMap<>();
        String prefix = big ? "big-" : "";
        for (int run = 1; run <= config.runs(); run++) {
            Path monitorDir = config.out().resolve(prefix + "a-monitor-" + run);
            Path plainDir = config.out().resolve(prefix + "a-plain-" + run);
            Path floorDir = config.out().resolve(prefix + "b-floor-" + run);
            Path pythonDir = config.out().resolve(prefix + "p-python-" + run);
            Child.Result a = onceMonitor(simulator, monitorDir, config.pageSize(), Launch.LAUNCHER, List.of());
            verify("(a) run " + run, a, monitorDir, n);
            monitor.add(a);
            record(prefix + "a-monitor-once", run, a);
            Child.Result b = floor(simulator, floorDir);
            verify("(b) run " + run, b, floorDir, n);
            floor.add(b);
            record(prefix + "b-floor", run, b);
            Child.Result p = null;
            if (noPython == null) {
                p = pythonPeer(simulator, pythonDir);
                verify("(p) run " + run, p, pythonDir, n);
                python.add(p);
                record(prefix + "p-python", run, p);
            }
            Child.Result plain = null;
            if (!big) {
                plain = onceMonitor(simulator, plainDir, config.pageSize(), Launch.JAVA_JAR, List.of());
                verify("(a) plain java -jar run " + run, plain, plainDir, n);
                plainJar.add(plain);
                record("a-plain-java-jar-once", run, plain);
            }
            StringBuilder others = new StringBuilder();
            for (Variant variant : config.variants()) {
                Path variantDir = config.out().resolve(prefix + "a-" + variant.id() + "-" + run);
                Child.Result v = onceMonitor(simulator, variantDir, config.pageSize(), Launch.LAUNCHER, variant.jvmOptions());
                verify("(a) " + variant.id() + " run " + run, v, variantDir, n);
                variants.computeIfAbsent(variant, key -> new ArrayList<>()).add(v);
                record(prefix + "a-" + variant.id() + "-once", run, v);
                others.append(String.format(Locale.ROOT, " | (a) %s %.2f s wall, %.2f s CPU, %.0f MB RSS", variant.id(),
                        v.timeElapsed(), v.cpuSeconds(), v.rssMb()));
                deleteTree(variantDir);
            }
            progress("%s run %d/%d (load %s): (a) monitor --once %.2f s wall, %.2f s CPU, %.0f MB RSS | (b) floor %.2f s wall, %.2f s CPU, %.0f MB RSS"
                    + "%s%s%s", phase, run, config.runs(), Procfs.loadAverage(), a.timeElapsed(), a.cpuSeconds(), a.rssMb(),
                    b.timeElapsed(), b.cpuSeconds(), b.rssMb(), p == null ? "" : String.format(Locale.ROOT,
                            " | (p) Python %.2f s wall, %.2f s CPU, %.0f MB RSS", p.timeElapsed(), p.cpuSeconds(), p.rssMb()),
                    plain == null ? "" : String.format(Locale.ROOT, " | (a) as plain java -jar %.2f s wall, %.2f s CPU",
                            plain.timeElapsed(), plain.cpuSeconds()), others);
            if (run == 1) {
                crossCheck(monitorDir, floorDir, "the floor");
                skipsDeliveredIds("the floor", floorDir, n, () -> floor(simulator, floorDir));
                if (p != null) {
                    crossCheck(monitorDir, pythonDir, "the Python script");
                    skipsDeliveredIds("the Python script", pythonDir, n, () -> pythonPeer(simulator, pythonDir));
                }
            }
            deleteTree(monitorDir);
            deleteTree(plainDir);
            deleteTree(floorDir);
            deleteTree(pythonDir);
        }
        reportOnce(n, monitor, plainJar, floor, python, noPython, serving, variants);

        double wallRatio = median(monitor, Child.Result::timeElapsed) / median(floor, Child.Result::timeElapsed);
        if (!big && (config.profile().equals("always") || (config.profile().equals("auto") && wallRatio > 1.5))) {
            profile(simulator, wallRatio);
        }

    }

    private void header() {
        String date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(LocalDateTime.now(ZoneOffset.UTC));
        Runtime runtime = Runtime.getRuntime();
        line("# tc-job-monitor benchmark, %s", date);
        line("");
        line("- Machine: %s, %d cores, %,d MB memory; %s %s", Procfs.cpuModel(), runtime.availableProcessors(),
                Procfs.memTotalMb(), System.getProperty("os.name"), System.getProperty("os.version"));
        line("- JVM: %s %s (%s); the launcher runs with its default JVM options (the serial GC, -Xms32m, heap free ratios 60/85, C1 only), plain java -jar, "
                + "the floor and the harness with the JVM's (G1, C2, an initial heap of 1/64 and a max heap of 1/4 of memory), unless "
                + "a table says otherwise; this harness: %s",
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        line("- N = %,d failed executions, page size %,d (second page size for (c): %,d), %d runs (medians), (c): %d warm-up rounds, %d timed polls over N; idle %d s; phases %s",
                config.n(), config.pageSize(), config.secondPageSize(), config.runs(), config.warmups(), config.warmRuns(),
                config.idleSeconds(), String.join(",", new java.util.TreeSet<>(config.phases())));
        line("- Load average at start: %s (other processes on the machine disturb wall times; CPU times and RSS much less)", Procfs.loadAverage());
        line("- The simulator (ThreatConnectSimulator) runs in the harness JVM on loopback and serves every child; its own time is part of every wall time.");
        line("");
    }

    // --- data -------------------------------------------------------------------------------------

    /**
     * N failures, 5 jobs, 5 exit messages (one with non-ASCII, quotes and a backslash), all between
     * 30 minutes and about 10 hours ago: inside the 1-day lookback of a first poll, outside the
     * window after a poll (watermark minus the 10-minute overlap).
     */
    static void seed(ThreatConnectSimulator simulator, int n) {
        Instant newest = Instant.now().minus(Duration.ofMinutes(30));
        // The simulator keeps executions in a CopyOnWriteArrayList: N adds copy it N times (O(N^2):
        // a minute at N=100,000, never done at 500,000). Benchmark only: while seeding, swap in an
        // ArrayList, then put back one copy-on-write list; plain adds (and a warning) when that is not possible.
        ExecutionList list = ExecutionList.of(simulator);
        if (list == null) {
            progress("warning: cannot reach the simulator's list of executions; seeding one by one, O(N^2)");
        } else {
            list.set(new ArrayList<>(list.get()));
        }
        for (int i = 0; i < n; i++) {
            simulator.addFailed(JOBS[i % JOBS.length], newest.minusSeconds(i % 36_000), MESSAGES[i % MESSAGES.length]);
        }
        if (list != null) {
            list.set(new java.util.concurrent.CopyOnWriteArrayList<>(list.get()));
        }
    }

    /**
     * The simulator's copy-on-write list of executions, reached by reflection: the field
     * {@code executions} of the simulator, or (since the simulator keeps them in a SimulatedExecutions)
     * the field {@code executions} of that.
     */
    private record ExecutionList(Object owner, java.lang.reflect.Field field) {

        static ExecutionList of(ThreatConnectSimulator simulator) {
            try {
                Object owner = simulator;
                java.lang.reflect.Field field = ThreatConnectSimulator.class.getDeclaredField("executions");
                field.setAccessible(true);
                Object value = field.get(owner);
                if (!(value instanceof List)) {
                    owner = value;
                    field = value.getClass().getDeclaredField("executions");
                    field.setAccessible(true);
                    value = field.get(owner);
                }
                return value instanceof java.util.concurrent.CopyOnWriteArrayList ? new ExecutionList(owner, field) : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        @SuppressWarnings("unchecked")
        List<Object> get() {
            try {
                return (List<Object>) field.get(owner);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read the simulator's list", e);
            }
        }

        void set(List<Object> list) {
            try {
                field.set(owner, list);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot set the simulator's list", e);
            }
        }
    }

    /** A typical hour for start-up and idle: a failure every 5 minutes and some completed executions. */
    static int seedTypicalHour(ThreatConnectSimulator simulator) {
        Instant now = Instant.now();
        int failures = 0;
        for (int minute = 57; minute > 0; minute -= 5) {
            simulator.addFailed(JOBS[minute % JOBS.length], now.minus(Duration.ofMinutes(minute)), MESSAGES[minute % MESSAGES.length]);
            simulator.addCompleted(JOBS[(minute + 1) % JOBS.length], now.minus(Duration.ofMinutes(minute)).plusSeconds(30));
            failures++;
        }
        return failures;
    }

    // --- (a) and (b) -------------------------------------------------------------------------------

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Map<String, String> monitorSettings(ThreatConnectSimulator simulator) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("TC_BASE_URL", simulator.baseUrl());
        settings.put("TC_ACCESS_ID", ACCESS_ID);
        settings.put("TC_SECRET_KEY", SECRET_KEY);
        settings.put("MONITOR_CRON", NEVER);
        return settings;
    }

    /** The settings of a monitor running in the harness's JVM (Application.createMain) against the simulator. */
    static Properties inProcessSettings(ThreatConnectSimulator simulator, int pageSize, Path stateDir) {
        Properties settings = new Properties();
        settings.setProperty("tc.base-url", simulator.baseUrl());
        settings.setProperty("tc.access-id", ACCESS_ID);
        settings.setProperty("tc.secret-key", SECRET_KEY);
        settings.setProperty("tc.api-token", "");
        settings.setProperty("monitor.cron", NEVER);
        settings.setProperty("monitor.page-size", Integer.toString(pageSize));
        settings.setProperty("monitor.lookback", LOOKBACK);
        settings.setProperty("monitor.state-dir", stateDir.toString());
        return settings;
    }

    /** {@code tc-job-monitor --once} in {@code dir}: state and alerts in its default data/ folders. */
    private Child.Result onceMonitor(ThreatConnectSimulator simulator, Path dir, int pageSize, Launch launch, List<String> jvmOptions)
            throws IOException, InterruptedException {
        return onceMonitor(simulator, dir, pageSize, launch, jvmOptions, null);
    }

    private Child.Result onceMonitor(ThreatConnectSimulator simulator, Path dir, int pageSize, Launch launch, List<String> jvmOptions,
            ThreadCpuSampler sampler) throws IOException, InterruptedException {
        Map<String, String> settings = monitorSettings(simulator);
        settings.put("MONITOR_PAGE_SIZE", Integer.toString(pageSize));
        settings.put("MONITOR_LOOKBACK", LOOKBACK);
        List<String> command = launch.command(config.jar(), jvmOptions, settings, "--once");
        return usedTheArchive("(a) " + dir.getFileName(), launch, Child.runTimed(command, dir, settings, Duration.ofMinutes(10), sampler));
    }

    /** A stale or foreign archive is ignored with a warning on stdout: that run would not be what it says. */
    private static Child.Result usedTheArchive(String what, Launch launch, Child.Result result) {
        if (launch == Launch.LAUNCHER && result.stdout().stream().anyMatch(line -> line.text().contains("[cds"))) {
            throw new IllegalStateException("the JVM did not use the class archive in " + what + ": "
                    + result.stdout().stream().map(Child.Line::text).filter(text -> text.contains("[cds")).toList());
        }
        return result;
    }

    private Child.Result floor(ThreatConnectSimulator simulator, Path dir) throws IOException, InterruptedException {
        Map<String, String> settings = monitorSettings(simulator);
        settings.put("MONITOR_PAGE_SIZE", Integer.toString(config.pageSize()));
        settings.put("MONITOR_LOOKBACK", LOOKBACK);
        String jacksonCore;
        try (Stream<Path> jars = Files.list(config.build().resolve("lib"))) {
            jacksonCore = jars.filter(jar -> jar.getFileName().toString().startsWith("jackson-core-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no jackson-core jar in " + config.build().resolve("lib")))
                    .toString();
        }
        List<String> command = List.of(java(), "-cp", config.build().resolve("floor-classes") + ":" + jacksonCore,
                FloorMonitor.class.getName());
        return Child.runTimed(command, dir, settings, Duration.ofMinutes(10));
    }

    /** Where benchmark/run.sh puts benchmark/python/floor_monitor.py. */
    private Path pythonScript() {
        return config.build().resolve("python/floor_monitor.py");
    }

    /** Why (p) cannot run, or null when it can. */
    private String pythonMissing() {
        if (!Files.isExecutable(config.python())) {
            return config.python() + " is missing (set --python= or BENCH_PYTHON to a Python 3 interpreter)";
        }
        if (!Files.isRegularFile(pythonScript())) {
            return pythonScript() + " is missing (benchmark/run.sh copies benchmark/python/floor_monitor.py there)";
        }
        return null;
    }

    /**
     * (p): the plain Python script (standard library only) with the environment (b) gets. Isolated
     * mode ({@code -I}): no PYTHON* variables, no user site-packages, nothing but the interpreter
     * and its standard library.
     */
    private Child.Result pythonPeer(ThreatConnectSimulator simulator, Path dir) throws IOException, InterruptedException {
        Map<String, String> settings = monitorSettings(simulator);
        settings.put("MONITOR_PAGE_SIZE", Integer.toString(config.pageSize()));
        settings.put("MONITOR_LOOKBACK", LOOKBACK);
        List<String> command = List.of(config.python().toString(), "-I", pythonScript().toString());
        return Child.runTimed(command, dir, settings, Duration.ofMinutes(10));
    }

    /** The interpreter's version, e.g. "Python 3.11.2". */
    private String pythonVersion() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(config.python().toString(), "-I", "-V").redirectErrorStream(true).start();
        String version = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        process.waitFor();
        return version;
    }

    /** A program of the comparison run again in the folder it left. */
    @FunctionalInterface
    private interface Rerun {
        Child.Result run() throws IOException, InterruptedException;
    }

    /** Exit 0, N lines with N distinct ids, N ledger entries, a watermark. */
    private static void verify(String what, Child.Result result, Path dir, int n) throws IOException {
        if (result.exitCode() != 0) {
            throw new IllegalStateException(what + " exited " + result.exitCode() + ": " + result.stderr());
        }
        long count = 0;
        Set<String> ids = new HashSet<>();
        try (AlertLines lines = new AlertLines(alertFiles(dir))) {
            for (String line = lines.next(); line != null; line = lines.next()) {
                count++;
                Matcher id = ID.matcher(line);
                if (!id.find()) {
                    throw new IllegalStateException(what + " wrote a line without a leading id: " + line);
                }
                ids.add(id.group(1));
            }
        }
        long ledger;
        try (Stream<String> entries = Files.lines(dir.resolve("data/state/default/delivered-file.tsv"))) {
            ledger = entries.count();
        }
        if (count != n || ids.size() != n || ledger != n || !Files.exists(dir.resolve("data/state/default/watermark"))) {
            throw new IllegalStateException(what + " delivered " + count + " lines, " + ids.size() + " distinct ids, "
                    + ledger + " ledger entries, expected " + n + " each and a watermark; " + result.pollLine());
        }
    }

    /**
     * The output of {@code who} is the monitor's, byte for byte, once detectedAt is blanked out; so
     * are the ledgers. The lines are compared as they are read (N may be 500,000 lines of each);
     * only when they are not in the same order are both sides held, as multisets.
     */
    private void crossCheck(Path monitorDir, Path otherDir, String who) throws IOException {
        List<Path> filesA = alertFiles(monitorDir);
        List<Path> filesB = alertFiles(otherDir);
        String order = null;
        long lines = 0;
        String firstA = null;
        String firstB = null;
        try (AlertLines a = new AlertLines(filesA); AlertLines b = new AlertLines(filesB)) {
            while (true) {
                String lineA = a.next();
                String lineB = b.next();
                if (lineA == null && lineB == null) {
                    order = "in the same order";
                    break;
                }
                if (lineA == null || lineB == null || !blankDetectedAt(lineA).equals(blankDetectedAt(lineB))) {
                    firstA = lineA;
                    firstB = lineB;
                    break;
                }
                lines++;
            }
        }
        if (order == null) {
            Map<String, Integer> a = blankedCounts(filesA);
            Map<String, Integer> b = blankedCounts(filesB);
            if (!a.equals(b)) {
                throw new IllegalStateException(who + "'s alert lines differ from the monitor's, the first difference at line "
                        + (lines + 1) + ":\n  monitor: " + firstA + "\n  " + who + ": " + firstB);
            }
            order = "in a different order";
            lines = b.values().stream().mapToLong(Integer::longValue).sum();
        }
        Set<String> ledgerA = new HashSet<>(Files.readAllLines(monitorDir.resolve("data/state/default/delivered-file.tsv")));
        Set<String> ledgerB = new HashSet<>(Files.readAllLines(otherDir.resolve("data/state/default/delivered-file.tsv")));
        if (!ledgerA.equals(ledgerB)) {
            throw new IllegalStateException(who + "'s delivered-file.tsv differs from the monitor's");
        }
        progress("check: %s's %,d alert lines equal the monitor's (detectedAt aside), %s; the delivered-id ledgers are equal",
                who, lines, order);
        line("Check: %s's %,d alert lines are byte-identical to the monitor's apart from `detectedAt` (%s), and its "
                + "`delivered-file.tsv` holds the same entries.", who, lines, order);
    }

    private static String blankDetectedAt(String line) {
        return DETECTED_AT.matcher(line).replaceFirst("\"detectedAt\":\"-\"");
    }

    private static List<Path> alertFiles(Path dir) throws IOException {
        Path alerts = dir.resolve("data/alerts");
        if (!Files.isDirectory(alerts)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(alerts)) {
            return files.sorted().toList();
        }
    }

    private static Map<String, Integer> blankedCounts(List<Path> files) throws IOException {
        Map<String, Integer> counts = new java.util.HashMap<>();
        try (AlertLines lines = new AlertLines(files)) {
            for (String line = lines.next(); line != null; line = lines.next()) {
                counts.merge(blankDetectedAt(line), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The lines of a program's alert files, one after the other, read as needed. */
    private static final class AlertLines implements AutoCloseable {
        private final java.util.Iterator<Path> files;
        private java.io.BufferedReader reader;

        AlertLines(List<Path> files) {
            this.files = files.iterator();
        }

        String next() throws IOException {
            while (true) {
                if (reader == null) {
                    if (!files.hasNext()) {
                        return null;
                    }
                    reader = Files.newBufferedReader(files.next());
                }
                String line = reader.readLine();
                if (line != null) {
                    return line;
                }
                reader.close();
                reader = null;
            }
        }

        @Override
        public void close() throws IOException {
            if (reader != null) {
                reader.close();
            }
        }
    }

    /** With the watermark gone, {@code who} reads all N again and must deliver none of them (ids persisted). */
    private void skipsDeliveredIds(String who, Path dir, int n, Rerun rerun) throws IOException, InterruptedException {
        Files.delete(dir.resolve("data/state/default/watermark"));
        Child.Result again = rerun.run();
        if (again.exitCode() != 0 || !again.pollLine().contains(" 0 new") || countAlertLines(dir) != n) {
            throw new IllegalStateException(who + " delivered again after its watermark was removed: " + again.pollLine()
                    + " " + again.stderr());
        }
        progress("check: %s, re-reading all N without its watermark, delivered none again (%s)", who, again.pollLine());
        line("Check: re-run without its watermark, %s read all %,d again and delivered none (`%s`, %.2f s).", who, n,
                again.pollLine().replaceAll(": window.*, (\\d+ page)", ": $1"), again.timeElapsed());
        line("");
    }

    private static long countAlertLines(Path dir) throws IOException {
        long count = 0;
        try (AlertLines lines = new AlertLines(alertFiles(dir))) {
            while (lines.next() != null) {
                count++;
            }
        }
        return count;
    }

    /** The simulator's share of a poll over N at the benchmark's page size: fetching and discarding every page. */
    private List<WarmPolls.Figures> simulatorShare(ThreatConnectSimulator simulator, int n) throws Exception {
        BareFetch bare = new BareFetch(simulator.baseUrl(), ACCESS_ID, SECRET_KEY);
        List<WarmPolls.Figures> figures = new ArrayList<>();
        long[] bytes = new long[1];
        for (int i = 0; i < 3; i++) {
            WarmPolls.Figures f = WarmPolls.timed(() -> {
                bytes[0] = bare.fetchAll(Instant.now().minus(Duration.parse(LOOKBACK)), config.pageSize());
            });
            if (i >= 1) {
                figures.add(f); // the first warms the simulator up
            }
        }
        progress("simulator share: fetching all %,d (%.1f MB) at page size %,d takes %.2f s (median, warm)", n,
                bytes[0] / 1048576.0, config.pageSize(), medianOf(figures, WarmPolls.Figures::wallSeconds));
        return figures;
    }

    private void reportOnce(int n, List<Child.Result> monitor, List<Child.Result> plainJar, List<Child.Result> floor,
            List<Child.Result> python, String noPython, List<WarmPolls.Figures> serving, Map<Variant, List<Child.Result>> variants)
            throws IOException, InterruptedException {
        line("## (a) monitor `--once` vs (b) hand-written floor and (p) plain Python script: N = %,d, page size %,d, medians of %d runs",
                n, config.pageSize(), config.runs());
        line("");
        line("| | wall s (start to exit) | CPU s (user+sys) | peak RSS MB | start to Camel started s | start to poll done s | poll's own time s |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        monitorRow("(a) `tc-job-monitor --once` (the launcher: the build's class archive)", monitor);
        line("| (b) floor (JDK HttpClient + Jackson streaming) | %.2f | %.2f | %.0f | - | %.2f | %.2f |",
                median(floor, Child.Result::timeElapsed), median(floor, Child.Result::cpuSeconds), median(floor, Child.Result::rssMb),
                median(floor, r -> r.secondsTo(Child.POLL_DONE)), median(floor, Child.Result::pollSeconds));
        ratioRow("**(a)/(b)**", monitor, floor, "**%.2f**");
        for (Map.Entry<Variant, List<Child.Result>> variant : variants.entrySet()) {
            monitorRow("(a) " + variant.getKey().how(), variant.getValue());
            ratioRow(variant.getKey().id() + " / (b)", variant.getValue(), floor, "%.2f");
        }
        if (!plainJar.isEmpty()) {
            monitorRow("(a) the same as plain `java -jar tc-job-monitor.jar --once`", plainJar);
            ratioRow("plain `java -jar` / (b)", plainJar, floor, "%.2f");
        }
        if (!python.isEmpty()) {
            line("| (p) plain Python script (%s, standard library: http.client, json, hmac) | %.2f | %.2f | %.0f | - | %.2f | %.2f |",
                    pythonVersion(), median(python, Child.Result::timeElapsed), median(python, Child.Result::cpuSeconds),
                    median(python, Child.Result::rssMb), median(python, r -> r.secondsTo(Child.POLL_DONE)),
                    median(python, Child.Result::pollSeconds));
            ratioRow("**(a)/(p)**", monitor, python, "**%.2f**");
            ratioRow("(b)/(p)", floor, python, "%.2f");
        } else {
            line("| (p) plain Python script: skipped, %s | | | | | | |", noPython);
        }
        line("| simulator's share: fetching and discarding all pages (in the harness JVM) | %.2f | %.2f (harness process) | | | | |",
                medianOf(serving, WarmPolls.Figures::wallSeconds), medianOf(serving, WarmPolls.Figures::processCpuSeconds));
        line("");
        line("Per run (wall s / CPU s / RSS MB): (a) %s; (b) %s%s%s%s.", perRun(monitor), perRun(floor),
                python.isEmpty() ? "" : "; (p) " + perRun(python), plainJar.isEmpty() ? "" : "; (a) plain java -jar " + perRun(plainJar),
                String.join("", variants.entrySet().stream().map(v -> "; (a) " + v.getKey().id() + " " + perRun(v.getValue())).toList()));
        if (!python.isEmpty()) {
            line("(p) is `benchmark/python/floor_monitor.py`, run as `%s -I floor_monitor.py`: the floor's duties with `json.loads` of "
                    + "each whole page (the standard library has no streaming parser), each page's lines in one write and fsync "
                    + "(as the monitor; the floor does not fsync), then their ids in one write.", config.python());
        }
        line("Wall and CPU of the children come from `/usr/bin/time` (rusage of the exited child; CPU excludes the simulator, "
                + "which runs in the harness); \"poll's own time\" is the `done in N ms` of each program's poll log line.");
        line("");
    }

    private void monitorRow(String label, List<Child.Result> runs) {
        line("| %s | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f |", label, median(runs, Child.Result::timeElapsed),
                median(runs, Child.Result::cpuSeconds), median(runs, Child.Result::rssMb), median(runs, r -> r.secondsTo(Child.CAMEL_STARTED)),
                median(runs, r -> r.secondsTo(Child.POLL_DONE)), median(runs, Child.Result::pollSeconds));
    }

    /** Medians of {@code runs} over those of {@code base} (the floor, the Python script): wall, CPU and RSS formatted as {@code headline}. */
    private void ratioRow(String label, List<Child.Result> runs, List<Child.Result> base, String headline) {
        line("| %s | " + headline + " | " + headline + " | " + headline + " | | %.2f | %.2f |", label,
                median(runs, Child.Result::timeElapsed) / median(base, Child.Result::timeElapsed),
                median(runs, Child.Result::cpuSeconds) / median(base, Child.Result::cpuSeconds),
                median(runs, Child.Result::rssMb) / median(base, Child.Result::rssMb),
                median(runs, r -> r.secondsTo(Child.POLL_DONE)) / median(base, r -> r.secondsTo(Child.POLL_DONE)),
                median(runs, Child.Result::pollSeconds) / median(base, Child.Result::pollSeconds));
    }

    private static String perRun(List<Child.Result> results) {
        return String.join(", ", results.stream().map(r -> String.format("%.2f/%.2f/%.0f", r.timeElapsed(), r.cpuSeconds(), r.rssMb())).toList());
    }

    /** One more (a) run under JFR, summarized, with the CPU of each of its threads (JIT and GC included). */
    private void profile(ThreatConnectSimulator simulator, double wallRatio) throws Exception {
        Path dir = config.out().resolve("a-profile");
        Path recording = config.out().resolve("monitor-once.jfr");
        progress("profiling one (a) run with JFR (wall ratio %.2f)", wallRatio);
        ThreadCpuSampler threads = new ThreadCpuSampler();
        Child.Result run = onceMonitor(simulator, dir, config.pageSize(), Launch.LAUNCHER,
                List.of("-XX:StartFlightRecording=filename=" + recording + ",settings=profile,dumponexit=true"), threads);
        verify("(a) under JFR", run, dir, config.n());
        List<Child.Line> output = run.stdout();
        deleteTree(dir);
        String summary = JfrSummary.summarize(recording, 20);
        Files.writeString(config.out().resolve("profile-monitor-once.txt"), summary);
        line("## Profile of one (a) run (JFR, settings=profile): %.2f s wall, %.2f s CPU under recording", run.timeElapsed(),
                run.cpuSeconds());
        line("");
        line("Timeline (seconds since fork): Camel started %.2f, poll done %.2f (poll's own time %.2f), exit %.2f.",
                run.secondsTo(Child.CAMEL_STARTED), run.secondsTo(Child.POLL_DONE), run.pollSeconds(), run.timeElapsed());
        line("");
        line("CPU by thread of that run (from /proc, sampled every 50 ms; JFR's execution samples below do not see JIT or GC threads):");
        line("");
        line("%s", threads.table(run.cpuSeconds()).strip());
        line("");
        line("Recording: `%s`; summary also in `%s`.", recording, config.out().resolve("profile-monitor-once.txt"));
        line("");
        line("```");
        line("%s", summary.strip());
        line("```");
        line("");
        Files.write(config.out().resolve("profile-monitor-once-stdout.txt"),
                output.stream().map(l -> String.format(Locale.ROOT, "%8.3f %s", l.seconds(), l.text())).toList());
    }

    // --- Kafka ------------------------------------------------------------------------------------

    /** The Kafka sink's throughput, cold ({@code --once}) and warm (a running monitor's later polls). */
    private void kafkaThroughput() throws Exception {
        KafkaPhase.Results results = new KafkaPhase(config.kafkaN(), config.pageSize(), config.out(), config.jar(), config.variants())
                .run(config.runs(), config.warmups());
        results.cold().forEach(run -> record("kafka-monitor-once", run.run(), run.child()));
        line("## Kafka sink: %,d failures to a local KRaft broker (acks=all), page size %,d, medians", config.kafkaN(), config.pageSize());
        line("");
        line("| | alerts/s (first page request to last record appended) | that span s | poll's own time s | process wall s | CPU s | peak RSS MB |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        List<KafkaPhase.Run> cold = results.cold();
        line("| `--once`, a fresh JVM (%d runs) | **%,.0f** | %.2f | %.2f | %.2f | %.2f | %.0f |", cold.size(),
                median(cold, KafkaPhase.Run::alertsPerSecond), median(cold, KafkaPhase.Run::seconds),
                median(cold, run -> run.child().pollSeconds()), median(cold, run -> run.child().timeElapsed()),
                median(cold, run -> run.child().cpuSeconds()), median(cold, run -> run.child().rssMb()));
        results.coldVariants().forEach((variant, runs) -> line("| `--once`, %s (%d runs) | **%,.0f** | %.2f | %.2f | %.2f | %.2f | %.0f |",
                variant.how(), runs.size(), median(runs, KafkaPhase.Run::alertsPerSecond), median(runs, KafkaPhase.Run::seconds),
                median(runs, run -> run.child().pollSeconds()), median(runs, run -> run.child().timeElapsed()),
                median(runs, run -> run.child().cpuSeconds()), median(runs, run -> run.child().rssMb())));
        List<KafkaPhase.Run> warm = results.warm();
        line("| a running monitor after %d warm-up polls over N (%d runs, in the harness JVM) | **%,.0f** | %.2f | %.2f | | | |",
                config.warmups(), warm.size(), median(warm, KafkaPhase.Run::alertsPerSecond), median(warm, KafkaPhase.Run::seconds),
                median(warm, KafkaPhase.Run::pollSeconds));
        line("");
        line("Per run (alerts/s): `--once` %s; warm %s. The broker runs in the harness JVM beside the simulator (one partition,"
                + " broker timestamps: LogAppendTime); every run was checked: one record per failure, keyed by its job id, and"
                + " each in the sink's delivered ids.",
                String.join(", ", cold.stream().map(run -> String.format(Locale.ROOT, "%,.0f", run.alertsPerSecond())).toList()),
                String.join(", ", warm.stream().map(run -> String.format(Locale.ROOT, "%,.0f", run.alertsPerSecond())).toList()));
        line("");
    }

    // --- (c) ---------------------------------------------------------------------------------------

    private void reportWarm(List<WarmPolls.Result> warm) {
        line("## (c) warm polls inside a running monitor (in-process, after %d warm-up rounds), medians", config.warmups());
        line("");
        line("| page size | empty-window poll: wall ms | CPU ms, whole JVM | CPU ms, monitor threads | alloc MB, monitor threads "
                + "| poll over N: wall s | CPU s, whole JVM | CPU s, monitor threads | alloc MB, monitor threads | GC s (JVM) |");
        line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (WarmPolls.Result r : warm) {
            boolean timed = !r.fullPolls().isEmpty();
            List<WarmPolls.Figures> full = timed ? r.fullPolls() : List.of(r.heapPoll());
            String mark = timed ? "" : " †";
            line("| %,d | %.1f | %.1f | %.1f | %.2f | %.2f%s | %.2f%s | %.2f | %.0f | %.2f%s |", r.pageSize(),
                    1000 * medianOf(r.emptyPolls(), WarmPolls.Figures::wallSeconds),
                    1000 * medianOf(r.emptyPolls(), WarmPolls.Figures::processCpuSeconds),
                    1000 * medianOf(r.emptyPolls(), WarmPolls.Figures::monitorCpuSeconds),
                    medianOf(r.emptyPolls(), WarmPolls.Figures::monitorAllocatedMb),
                    medianOf(full, WarmPolls.Figures::wallSeconds), mark,
                    medianOf(full, WarmPolls.Figures::processCpuSeconds), mark,
                    medianOf(full, WarmPolls.Figures::monitorCpuSeconds),
                    medianOf(full, WarmPolls.Figures::monitorAllocatedMb),
                    medianOf(full, WarmPolls.Figures::gcSeconds), mark);
        }
        line("");
        line("Empty-window polls: %d each; polls over N: %s. † from the heap-sampled poll only (the forced full GCs inflate its "
                + "wall time, whole-JVM CPU and GC; monitor-thread CPU and allocation are not affected).", config.runs(),
                String.join(", ", warm.stream().map(r -> r.fullPolls().size() + " at page size " + String.format("%,d", r.pageSize())).toList()));
        line("\"Monitor threads\": every thread of the JVM except the simulator's (`tc-simulator`, `HTTP-Dispatcher`) and the "
                + "harness's (GC and JIT threads are not Java threads and are not in it); \"whole JVM\" includes the simulator, GC and JIT. "
                + "Monitor start in-process (in a JVM that already seeded the simulator): %s s.",
                String.join(" / ", warm.stream().map(r -> String.format("%.2f (page %,d)", r.startSeconds(), r.pageSize())).toList()));
        line("");
        line("The simulator's share, measured the same way (the harness fetching and discarding the same pages, %s):",
                "at most 10 pages at the second page size");
        line("");
        line("| page size | empty window: wall ms | per page request: wall ms | pages of a poll over N | so the simulator's share of a poll over N s | poll over N minus that share s |");
        line("|---:|---:|---:|---:|---:|---:|");
        for (WarmPolls.Result r : warm) {
            long pages = Math.max(1, (config.n() + r.pageSize() - 1) / r.pageSize());
            double share = pages * r.bareSecondsPerPage();
            List<WarmPolls.Figures> full = r.fullPolls().isEmpty() ? List.of(r.heapPoll()) : r.fullPolls();
            line("| %,d | %.1f | %.1f | %d | %.2f | %.2f%s |", r.pageSize(), 1000 * medianOf(r.bareEmpty(), WarmPolls.Figures::wallSeconds),
                    1000 * r.bareSecondsPerPage(), pages, share, medianOf(full, WarmPolls.Figures::wallSeconds) - share,
                    r.fullPolls().isEmpty() ? " †" : "");
        }
        line("");
        line("### Heap by page size (poll over N, live heap sampled by a forced full GC every %s; each page size in a JVM of its own)",
                String.join(" / ", warm.stream().map(r -> String.format("%d ms at page size %,d", r.heapSamplingMillis(), r.pageSize())).toList()));
        line("");
        line("| page size | live heap before (simulator's N executions + Camel) MB | peak live added during the poll MB "
                + "| kept after the poll MB | peak minus kept: the pages in flight MB | of which the simulator serving pages (bare fetch) MB | samples |");
        line("|---:|---:|---:|---:|---:|---:|---:|");
        for (WarmPolls.Result r : warm) {
            line("| %,d | %.0f | %.1f | %.1f | **%.1f** | %.1f | %d |", r.pageSize(), r.baselineLiveMb(), r.pollPeakLiveMb(),
                    r.retainedAfterPollMb(), r.pollPeakLiveMb() - r.retainedAfterPollMb(), r.bareFetchPeakLiveMb(), r.heapSamples());
        }
        line("");
        line("\"Kept after the poll\": what stays live once the poll is over, mostly the delivered-ids ledger of N entries that the "
                + "file state store keeps in memory.");
        line("");
    }

    // --- start-up and idle -------------------------------------------------------------------------

    /** One way of starting {@code --once} in the start-up phase. */
    record StartupVariant(String id, String how, Launch launch, List<String> jvmOptions) {
    }

    /**
     * --once with the default configuration against a typical hour (a failure every 5 minutes): as
     * README runs it, the launcher with the class-data sharing archive the build wrote (a --demo
     * --once training run at package time); as plain {@code java -jar}; and each of these with C1 only
     * ({@code -XX:TieredStopAtLevel=1}: on two cores C2 competes with start-up for the CPU). The
     * variants take turns run by run, so the load of the machine falls on each alike. Returns the
     * launcher's runs.
     */
    private List<Child.Result> startup(ThreatConnectSimulator small, int failures) throws Exception {
        Path archive = config.jar().resolveSibling("tc-job-monitor.jsa");
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(archive + " is missing: the build writes it at package time (unless -Dcds.skip=true)");
        }
        List<String> c1 = List.of("-XX:TieredStopAtLevel=1");
        List<StartupVariant> variants = new ArrayList<>(List.of(
                new StartupVariant("launcher", "`tc-job-monitor --once`, the launcher README uses (the build's class archive, its default JVM options)",
                        Launch.LAUNCHER, List.of()),
                new StartupVariant("plain", "plain `java -jar tc-job-monitor.jar --once`", Launch.JAVA_JAR, List.of()),
                new StartupVariant("plain-c1", "plain `java -jar`, C1 only", Launch.JAVA_JAR, c1)));
        for (Variant variant : config.variants()) {
            variants.add(new StartupVariant("launcher-" + variant.id(), variant.how(), Launch.LAUNCHER, variant.jvmOptions()));
        }
        Map<StartupVariant, List<Child.Result>> results = new LinkedHashMap<>();
        for (int run = 1; run <= config.runs(); run++) {
            for (StartupVariant variant : variants) {
                Path dir = config.out().resolve("startup-" + variant.id() + "-" + run);
                Child.Result result = onceDefault(small, dir, variant.launch(), variant.jvmOptions());
                verify("start-up run " + run + " (" + variant.id() + ")", result, dir, failures);
                usedTheArchive("start-up run " + run + " (" + variant.id() + ")", variant.launch(), result);
                results.computeIfAbsent(variant, key -> new ArrayList<>()).add(result);
                record("startup-" + variant.id() + "-once", run, result);
                progress("start-up run %d/%d, %s: Camel started after %.2f s, first poll done after %.2f s, exit after %.2f s",
                        run, config.runs(), variant.id(), result.secondsTo(Child.CAMEL_STARTED), result.secondsTo(Child.POLL_DONE),
                        result.timeElapsed());
                deleteTree(dir);
            }
        }
        line("## Start to first poll done, `--once`, default configuration (page size 1,000, lookback 1 h; %d failures in the hour), medians of %d",
                failures, config.runs());
        line("");
        line("| how | process start to Camel started s | to first 'Poll of ... done' s | the poll itself s | to exit s | CPU s | peak RSS MB |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        results.forEach((variant, runs) -> line("| %s | %.2f | **%.2f** | %.3f | %.2f | %.2f | %.0f |", variant.how(),
                median(runs, r -> r.secondsTo(Child.CAMEL_STARTED)), median(runs, r -> r.secondsTo(Child.POLL_DONE)),
                median(runs, Child.Result::pollSeconds), median(runs, Child.Result::timeElapsed), median(runs, Child.Result::cpuSeconds),
                median(runs, Child.Result::rssMb)));
        line("");
        line("Per run, start to first poll done s: %s.", String.join("; ", results.entrySet().stream()
                .map(entry -> entry.getKey().id() + " " + String.join(", ", entry.getValue().stream()
                        .map(r -> String.format(Locale.ROOT, "%.2f", r.secondsTo(Child.POLL_DONE))).toList()))
                .toList()));
        line("The archive (%.0f MB) is the build's: `mvn package` runs the jar once (`--demo --once` with "
                + "`-XX:ArchiveClassesAtExit`). The JVM uses an archive only with the JDK build that wrote it and the jar and lib/ "
                + "files, at the same paths, that it was written from (otherwise it warns and runs without); the benchmark fails "
                + "if a launcher run did not use it.", Files.size(archive) / 1048576.0);
        line("");
        return results.get(variants.get(0));
    }

    /** {@code tc-job-monitor --once} in {@code dir}, default configuration but the simulator. */
    private Child.Result onceDefault(ThreatConnectSimulator small, Path dir, Launch launch, List<String> jvmOptions)
            throws IOException, InterruptedException {
        Map<String, String> settings = monitorSettings(small);
        return Child.runTimed(launch.command(config.jar(), jvmOptions, settings, "--once"), dir, settings, Duration.ofMinutes(5));
    }

    /**
     * The daemon (no --once), default configuration, whose cron fires once shortly after start;
     * after that first poll and 5 s of settling, its RSS and CPU over {@code idleSeconds}.
     */
    private void idle(ThreatConnectSimulator small, double startupSeconds, Launch launch, List<String> jvmOptions, String how)
            throws Exception {
        Path dir = config.out().resolve("idle-daemon-" + launch.name().toLowerCase(Locale.ROOT) + "-" + jvmOptions.hashCode());
        // a cron that fires once: with room for a start slowed by a loaded machine (a start after the fire
        // time would never poll: Quartz refuses a trigger that will never fire and the daemon exits)
        ZonedDateTime fire = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds((long) Math.ceil(2 * startupSeconds) + 10);
        String cron = String.format("%d %d %d %d %d ? %d", fire.getSecond(), fire.getMinute(), fire.getHour(),
                fire.getDayOfMonth(), fire.getMonthValue(), fire.getYear());
        Map<String, String> settings = monitorSettings(small);
        settings.put("MONITOR_CRON", cron);
        // the management server on a free port: another daemon on this machine may hold the default one
        settings.put("CAMEL_MANAGEMENT_PORT", "0");
        // the child's stdout reader appends while awaitLine reads: synchronized, as Child expects
        List<Child.Line> lines = Collections.synchronizedList(new ArrayList<>());
        progress("idle daemon, %s: first poll at %s (cron '%s'), then %d s of idle", how, fire.toLocalTime(), cron,
                config.idleSeconds());
        Process daemon = Child.start(launch.command(config.jar(), jvmOptions, settings), dir, settings, lines);
        try {
            Child.Line polled = Child.awaitLine(lines, Child.POLL_DONE, Duration.ofSeconds(120));
            if (polled == null) {
                throw new IllegalStateException("the daemon did not poll within 120 s; its output: " + lines + " "
                        + Files.readString(dir.resolve("stderr.txt")));
            }
            long pid = daemon.pid();
            double rssAfterPoll = Procfs.statusKb(pid, "VmRSS") / 1024.0;
            Thread.sleep(5_000); // settling; sampling below is a benchmark's period, not a wait for a condition
            double cpuStart = Procfs.cpuSeconds(pid);
            double rssStart = Procfs.statusKb(pid, "VmRSS") / 1024.0;
            double rssMax = rssStart;
            double rssMin = rssStart;
            long started = System.nanoTime();
            for (int second = 0; second < config.idleSeconds(); second++) {
                Thread.sleep(1_000);
                double rss = Procfs.statusKb(pid, "VmRSS") / 1024.0;
                rssMax = Math.max(rssMax, rss);
                rssMin = Math.min(rssMin, rss);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpu = Procfs.cpuSeconds(pid) - cpuStart;
            double rssEnd = Procfs.statusKb(pid, "VmRSS") / 1024.0;
            double hwm = Procfs.statusKb(pid, "VmHWM") / 1024.0;
            long threads = Procfs.threads(pid);
            progress("idle daemon: RSS %.0f -> %.0f MB (max %.0f), CPU %.3f s over %.0f s", rssStart, rssEnd, rssMax, cpu, seconds);
            line("## Idle daemon, %s (default configuration, after its first poll of a typical hour + 5 s), over %.0f s", how,
                    seconds);
            line("");
            line("| RSS after first poll MB | RSS during idle: start / end / min / max MB | peak RSS (VmHWM) MB | CPU s over the period | average CPU, %% of one core | threads |");
            line("|---:|---:|---:|---:|---:|---:|");
            line("| %.0f | %.0f / %.0f / %.0f / %.0f | %.0f | %.3f | %.2f%% | %d |", rssAfterPoll, rssStart, rssEnd, rssMin, rssMax, hwm,
                    cpu, 100 * cpu / seconds, threads);
            line("");
        } finally {
            daemon.destroy(); // SIGTERM: a graceful stop
            if (!daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
            deleteTree(dir);
        }
    }

    // --- helpers -----------------------------------------------------------------------------------

    private void record(String phase, int run, Child.Result r) {
        csv.add(String.format(Locale.ROOT, "%s,%d,%d,%.3f,%.3f,%.3f,%.3f,%.1f,%.3f,%.3f,%.3f", phase, run, r.exitCode(), r.timeElapsed(),
                r.cpuSeconds(), r.userSeconds(), r.systemSeconds(), r.rssMb(), r.secondsTo(Child.CAMEL_STARTED),
                r.secondsTo(Child.POLL_DONE), r.pollSeconds()));
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench %6.1f s] %s%n", (System.currentTimeMillis() - START_MILLIS) / 1e3,
                String.format(Locale.ROOT, format, args));
    }

    static <T> double median(List<T> items, ToDoubleFunction<T> figure) {
        double[] values = items.stream().mapToDouble(figure).filter(value -> !Double.isNaN(value)).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    static double medianOf(List<WarmPolls.Figures> items, ToDoubleFunction<WarmPolls.Figures> figure) {
        return median(items, figure);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The in-process monitor of (c) logs through slf4j-simple like the jar; only warnings here.
     * First thing in main: slf4j-simple reads its settings when the first logger is created.
     */
    static void quietLogging() {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.out");
    }
}
