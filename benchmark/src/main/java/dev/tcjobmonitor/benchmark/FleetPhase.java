package dev.tcjobmonitor.benchmark;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The fleet phase (issue #15): one daemon, started by the launcher as README starts it, watching K
 * ThreatConnect instances (K templatedRoutes in routes/monitor.camel.yaml, all against the simulator's
 * typical hour) that poll every 10 s. Its RSS {@code --fleet-seconds} after start (and the highest
 * seen, and VmHWM), its CPU, and each poll's time from its cron fire to its "done" line, which bounds
 * the failure-to-alert latency beyond the cron period. With K = 1 it is the one idle monitor. The
 * launcher with its default JVM options and with each of {@code --variants} take turns.
 */
final class FleetPhase {

    /** Every 10 s, on the second divisible by 10. */
    static final String CRON = "0/10 * * * * ?";
    private static final long PERIOD_MILLIS = 10_000;
    private static final Pattern POLL_DONE_OF = Pattern.compile("Poll of '([^']+)' done in (\\d+) ms");

    /** Benchmark.line, the report's next line. */
    @FunctionalInterface
    interface Report {
        void line(String format, Object... args);
    }

    record Result(int monitors, double rssEndMb, double rssMaxMb, double hwmMb, double cpuSeconds, long threads,
            double allPolledSeconds, int polls, int minPollsPerMonitor, double warmPollMedianMs, double warmPollMaxMs,
            double fireToDoneMedianMs, double fireToDoneMaxMs) {
    }

    private final Benchmark.Config config;
    private final Report report;
    private int failures;

    FleetPhase(Benchmark.Config config, Report report) {
        this.config = config;
        this.report = report;
    }

    void run() throws Exception {
        List<Benchmark.Variant> variants = new ArrayList<>();
        variants.add(new Benchmark.Variant("launcher", List.of()));
        variants.addAll(config.variants());
        Map<String, List<Result>> results = new LinkedHashMap<>();
        for (int run = 1; run <= config.fleetRuns(); run++) {
            for (int monitors : config.monitors()) {
                for (Benchmark.Variant variant : variants) {
                    Result result = daemon(monitors, variant, config.out().resolve("fleet-" + variant.id() + "-" + monitors + "-" + run));
                    results.computeIfAbsent(monitors + "\t" + variant.id(), key -> new ArrayList<>()).add(result);
                    Benchmark.progress("fleet run %d/%d, %d monitor(s), %s (load %s): RSS %.0f MB after %d s (max %.0f), CPU %.2f s, "
                            + "%d polls, warm poll %.0f ms median, fire to done %.0f ms median / %.0f max", run, config.fleetRuns(),
                            monitors, variant.id(), Procfs.loadAverage(), result.rssEndMb(), config.fleetSeconds(), result.rssMaxMb(),
                            result.cpuSeconds(), result.polls(), result.warmPollMedianMs(), result.fireToDoneMedianMs(),
                            result.fireToDoneMaxMs());
                }
            }
        }
        report.line("## Monitors in one daemon, polling every 10 s (`%s`), RSS %d s after start; the launcher, medians of %d",
                CRON, config.fleetSeconds(), config.fleetRuns());
        report.line("");
        report.line("| monitors | JVM options | RSS at %d s MB | highest RSS sampled MB | peak RSS (VmHWM) MB | CPU s over the %d s | threads "
                + "| all polled once after s | polls (fewest of one monitor) | warm poll's own time: median / max ms "
                + "| cron fire to poll done: median / max ms |", config.fleetSeconds(), config.fleetSeconds());
        report.line("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        results.forEach((key, runs) -> {
            String[] parts = key.split("\t");
            String how = variants.stream().filter(v -> v.id().equals(parts[1])).findFirst()
                    .map(v -> v.jvmOptions().isEmpty() ? "the launcher's defaults" : "`JAVA_OPTS=\"" + String.join(" ", v.jvmOptions()) + "\"`")
                    .orElse(parts[1]);
            report.line("| %s | %s | **%.0f** | %.0f | %.0f | %.2f | %.0f | %.1f | %.0f (%.0f) | %.0f / %.0f | %.0f / %.0f |", parts[0], how,
                    Benchmark.median(runs, Result::rssEndMb), Benchmark.median(runs, Result::rssMaxMb),
                    Benchmark.median(runs, Result::hwmMb), Benchmark.median(runs, Result::cpuSeconds),
                    Benchmark.median(runs, r -> r.threads()), Benchmark.median(runs, Result::allPolledSeconds),
                    Benchmark.median(runs, r -> r.polls()), Benchmark.median(runs, r -> r.minPollsPerMonitor()),
                    Benchmark.median(runs, Result::warmPollMedianMs), Benchmark.median(runs, Result::warmPollMaxMs),
                    Benchmark.median(runs, Result::fireToDoneMedianMs), Benchmark.median(runs, Result::fireToDoneMaxMs));
        });
        report.line("");
        report.line("Each monitor is one templatedRoute (`name` m001, m002, ...) against the simulator's typical hour (%d failures, "
                + "delivered to the file sink by each monitor's first poll, checked in each one's delivered ids); the later polls "
                + "find nothing new (\"warm poll\": the poll's own `done in N ms`). \"Cron fire to poll done\": the poll's log line "
                + "against the 10 s boundary it fired on, for the polls after each monitor's first; a failure is delivered at "
                + "most one cron period plus that after it happened. The management server listens on a free port "
                + "(`CAMEL_MANAGEMENT_PORT=0`).", failures);
        report.line("");
    }

    /** A daemon against a simulator of its own, holding the hour before it started (a run later, the hour has moved). */
    private Result daemon(int monitors, Benchmark.Variant variant, Path dir) throws Exception {
        try (ThreatConnectSimulator simulator = ThreatConnectSimulator.start().withHmacUser(Benchmark.ACCESS_ID, Benchmark.SECRET_KEY)) {
            failures = Benchmark.seedTypicalHour(simulator);
            return daemon(simulator, monitors, variant, dir);
        }
    }

    private Result daemon(ThreatConnectSimulator simulator, int monitors, Benchmark.Variant variant, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("routes"));
        StringBuilder routes = new StringBuilder("# the benchmark's fleet: one templatedRoute per monitor\n");
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= monitors; i++) {
            String name = String.format(Locale.ROOT, "m%03d", i);
            names.add(name);
            routes.append("- templatedRoute:\n    routeTemplateRef: tc-job-monitor\n    routeId: tc-job-monitor-").append(name)
                    .append("\n    parameters:\n      - name: name\n        value: ").append(name).append('\n');
        }
        Files.writeString(dir.resolve("routes/monitor.camel.yaml"), routes);
        Map<String, String> settings = Benchmark.monitorSettings(simulator);
        settings.put("MONITOR_CRON", CRON);
        settings.put("CAMEL_MANAGEMENT_PORT", "0");
        List<Child.Line> lines = Collections.synchronizedList(new ArrayList<>());
        long forkedAt = System.currentTimeMillis();
        Process daemon = Child.start(Launch.LAUNCHER.command(config.jar(), variant.jvmOptions(), settings), dir, settings, lines);
        long pid = daemon.pid();
        double rssMax = 0;
        double rss = 0;
        double hwm;
        double cpu;
        long threads;
        try {
            long end = forkedAt + config.fleetSeconds() * 1000L;
            while (System.currentTimeMillis() < end) {
                if (!daemon.isAlive()) {
                    throw new IllegalStateException("the daemon of " + monitors + " monitors (" + variant.id() + ") exited "
                            + daemon.exitValue() + ": " + tail(lines) + " " + Files.readString(dir.resolve("stderr.txt")));
                }
                Thread.sleep(Math.min(1_000, Math.max(1, end - System.currentTimeMillis()))); // a sampling period
                rss = Procfs.statusKb(pid, "VmRSS") / 1024.0;
                rssMax = Math.max(rssMax, rss);
            }
            hwm = Procfs.statusKb(pid, "VmHWM") / 1024.0;
            cpu = Procfs.cpuSeconds(pid);
            threads = Procfs.threads(pid);
        } finally {
            daemon.destroy(); // SIGTERM: a graceful stop
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        Files.write(dir.resolve("stdout.txt"), lines.stream().map(l -> String.format(Locale.ROOT, "%8.3f %s", l.seconds(), l.text())).toList());

        Map<String, Integer> pollsOf = new HashMap<>();
        List<Double> warmPolls = new ArrayList<>();
        List<Double> fireToDone = new ArrayList<>();
        double allPolled = Double.NaN;
        synchronized (lines) {
            for (Child.Line line : lines) {
                Matcher done = POLL_DONE_OF.matcher(line.text());
                if (!done.find()) {
                    continue;
                }
                int count = pollsOf.merge(done.group(1), 1, Integer::sum);
                if (count == 1 && pollsOf.size() == monitors && Double.isNaN(allPolled)) {
                    allPolled = line.seconds();
                }
                if (count > 1) {
                    warmPolls.add(Double.parseDouble(done.group(2)));
                    long at = forkedAt + Math.round(line.seconds() * 1000);
                    fireToDone.add((double) (at % PERIOD_MILLIS));
                }
            }
        }
        for (String name : names) {
            Path ledger = dir.resolve("data/state/" + name + "/delivered-file.tsv");
            long delivered;
            try (Stream<String> entries = Files.lines(ledger)) {
                delivered = entries.count();
            } catch (IOException e) {
                throw new IllegalStateException("monitor " + name + " of " + monitors + " (" + variant.id() + ") has no ledger: "
                        + tail(lines), e);
            }
            if (delivered != failures) {
                throw new IllegalStateException("monitor " + name + " of " + monitors + " (" + variant.id() + ") delivered "
                        + delivered + " failures, expected " + failures);
            }
        }
        int fewest = names.stream().mapToInt(name -> pollsOf.getOrDefault(name, 0)).min().orElse(0);
        Benchmark.deleteTree(dir);
        return new Result(monitors, rss, rssMax, hwm, cpu, threads, allPolled, pollsOf.values().stream().mapToInt(Integer::intValue).sum(),
                fewest, Benchmark.median(warmPolls, Double::doubleValue), warmPolls.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                Benchmark.median(fireToDone, Double::doubleValue), fireToDone.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    }

    private static String tail(List<Child.Line> lines) {
        synchronized (lines) {
            return lines.subList(Math.max(0, lines.size() - 10), lines.size()).stream().map(Child.Line::text).toList().toString();
        }
    }
}
