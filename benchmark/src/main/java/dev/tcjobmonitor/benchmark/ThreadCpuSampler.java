package dev.tcjobmonitor.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * CPU by thread of a child JVM, JIT compiler and GC threads included (which JFR's execution
 * samples do not see): every 50 ms, /proc/PID/task/TID/{comm,stat} of the java process under the
 * child; each thread's last reading counts. What a thread did in its last 50 ms is missed.
 */
final class ThreadCpuSampler {

    private final Map<Long, String> names = new ConcurrentHashMap<>();
    private final Map<Long, Double> cpu = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private Thread thread;

    void start(Process child) {
        thread = new Thread(() -> {
            while (running) {
                javaProcess(child).ifPresent(this::read);
                try {
                    Thread.sleep(50); // sampling period
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-thread-cpu");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
    }

    private static Optional<Long> javaProcess(Process child) {
        if (child.info().command().orElse("").endsWith("/java")) {
            return Optional.of(child.pid());
        }
        return child.descendants().filter(handle -> handle.info().command().orElse("").endsWith("/java"))
                .map(ProcessHandle::pid).findFirst();
    }

    private void read(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    long tid = Long.parseLong(task.getFileName().toString());
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    cpu.put(tid, (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / Procfs.TICKS);
                    names.computeIfAbsent(tid, key -> comm(task));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException gone) {
            // the process ended
        }
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /** CPU seconds by thread group (digits folded), largest first, as table rows. */
    String table(double totalCpu) {
        Map<String, Double> groups = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        cpu.forEach((tid, seconds) -> {
            String group = group(names.getOrDefault(tid, "?"));
            groups.merge(group, seconds, Double::sum);
            counts.merge(group, 1, Integer::sum);
        });
        double sampled = groups.values().stream().mapToDouble(Double::doubleValue).sum();
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        StringBuilder out = new StringBuilder();
        out.append("| thread (Linux name, digits folded) | threads | CPU s | share of sampled |\n|---|---:|---:|---:|\n");
        for (Map.Entry<String, Double> entry : sorted) {
            if (entry.getValue() < 0.005) {
                continue;
            }
            out.append(String.format(java.util.Locale.ROOT, "| `%s` | %d | %.2f | %.0f%% |%n", entry.getKey(), counts.get(entry.getKey()),
                    entry.getValue(), 100 * entry.getValue() / sampled));
        }
        out.append(String.format(java.util.Locale.ROOT, "| all sampled threads | %d | %.2f | (rusage total %.2f) |%n", cpu.size(), sampled, totalCpu));
        return out.toString();
    }

    /** JIT, GC, VM, JFR and application threads, by their Linux names (15 characters at most). */
    private static String group(String name) {
        return name.replaceAll("\\d+", "#");
    }
}
