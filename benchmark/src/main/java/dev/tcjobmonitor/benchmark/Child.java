package dev.tcjobmonitor.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One child process, timed from just before it is forked to its exit. CPU time and peak RSS come
 * from {@code /usr/bin/time} (the kernel's rusage of the exited child: user, system, max RSS), so
 * nothing is lost at exit; stdout is read line by line as it arrives, each line stamped with the
 * time since the fork, which gives "start to first poll done".
 */
final class Child {

    static final Pattern POLL_DONE = Pattern.compile("Poll of '[^']+' done in (\\d+) ms");
    static final Pattern CAMEL_STARTED = Pattern.compile("Apache Camel \\S+ \\(.*\\) started in");

    record Line(double seconds, String text) {
    }

    record Result(int exitCode, double wallSeconds, double timeElapsed, double userSeconds, double systemSeconds,
            long maxRssKb, List<Line> stdout, String stderr) {

        double cpuSeconds() {
            return userSeconds + systemSeconds;
        }

        double rssMb() {
            return maxRssKb / 1024.0;
        }

        /** Seconds from the fork to the first stdout line matching {@code pattern}, or NaN. */
        double secondsTo(Pattern pattern) {
            return stdout.stream().filter(line -> pattern.matcher(line.text()).find()).mapToDouble(Line::seconds).findFirst()
                    .orElse(Double.NaN);
        }

        /** The poll's own duration from its log line, or NaN. */
        double pollSeconds() {
            for (Line line : stdout) {
                Matcher matcher = POLL_DONE.matcher(line.text());
                if (matcher.find()) {
                    return Long.parseLong(matcher.group(1)) / 1000.0;
                }
            }
            return Double.NaN;
        }

        String pollLine() {
            return stdout.stream().map(Line::text).filter(text -> POLL_DONE.matcher(text).find()).findFirst().orElse("(no poll line)");
        }
    }

    private Child() {
    }

    /** The environment of a child: this one's, less every setting the monitor would read, plus {@code settings}. */
    static Map<String, String> environment(Map<String, String> settings) {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_") || key.startsWith("SINK")
                || key.startsWith("CAMEL_") || key.equals("JAVA_TOOL_OPTIONS") || key.equals("JDK_JAVA_OPTIONS"));
        env.putAll(settings);
        return env;
    }

    static Result runTimed(List<String> command, Path workDir, Map<String, String> settings, Duration timeout)
            throws IOException, InterruptedException {
        return runTimed(command, workDir, settings, timeout, null);
    }

    static Result runTimed(List<String> command, Path workDir, Map<String, String> settings, Duration timeout,
            ThreadCpuSampler sampler) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path timeFile = workDir.resolve("time.txt");
        Path stderrFile = workDir.resolve("stderr.txt");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %U %S %M", "-o", timeFile.toString()));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).directory(workDir.toFile()).redirectError(stderrFile.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment(settings));
        List<Line> lines = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        Process process = builder.start();
        Thread reader = drain(process, lines, started);
        if (sampler != null) {
            sampler.start(process);
        }
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (sampler != null) {
            sampler.stop();
        }
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("child did not finish within " + timeout + ": " + String.join(" ", command));
        }
        double wall = (System.nanoTime() - started) / 1e9;
        reader.join(10_000);
        Files.write(workDir.resolve("stdout.txt"), lines.stream().map(line -> String.format("%8.3f %s", line.seconds(), line.text())).toList());
        List<String> timeLines = Files.readAllLines(timeFile);
        String[] figures = timeLines.get(timeLines.size() - 1).trim().split("\\s+");
        return new Result(process.exitValue(), wall, Double.parseDouble(figures[0]), Double.parseDouble(figures[1]),
                Double.parseDouble(figures[2]), Long.parseLong(figures[3]), List.copyOf(lines), Files.readString(stderrFile));
    }

    /** A long-running child, not wrapped (its /proc entry is read while it runs). */
    static Process start(List<String> command, Path workDir, Map<String, String> settings, List<Line> lines)
            throws IOException {
        Files.createDirectories(workDir);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectError(workDir.resolve("stderr.txt").toFile());
        builder.environment().clear();
        builder.environment().putAll(environment(settings));
        long started = System.nanoTime();
        Process process = builder.start();
        drain(process, lines, started);
        return process;
    }

    private static Thread drain(Process process, List<Line> lines, long started) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(new Line((System.nanoTime() - started) / 1e9, line));
                    synchronized (lines) {
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "bench-child-stdout");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /** Waits until a line matching {@code pattern} arrived (or the timeout passed); returns it or null. */
    static Line awaitLine(List<Line> lines, Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (Line line : lines) {
                    if (pattern.matcher(line.text()).find()) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                lines.wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
