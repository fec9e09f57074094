package dev.tcjobmonitor.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a recorded process spent its CPU: the Java execution samples of a JFR recording, by thread
 * group, by library (the top frame's package), by method (self and inclusive), plus GC pauses and
 * JIT compilation. Also usable alone: {@code java -cp ... dev.tcjobmonitor.benchmark.JfrSummary rec.jfr}.
 */
public final class JfrSummary {

    private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

    static {
        LIBRARIES.put("dev.tcjobmonitor.", "tc-job-monitor");
        LIBRARIES.put("org.apache.camel.", "Camel");
        LIBRARIES.put("org.snakeyaml.", "SnakeYAML (route loading)");
        LIBRARIES.put("com.fasterxml.jackson.", "Jackson");
        LIBRARIES.put("org.apache.hc.", "Apache HttpClient 5");
        LIBRARIES.put("org.slf4j.", "SLF4J (logging)");
        LIBRARIES.put("org.quartz.", "Quartz");
        LIBRARIES.put("org.apache.kafka.", "Kafka client");
        LIBRARIES.put("java.util.zip.", "JDK zip/jar reading");
        LIBRARIES.put("jdk.internal.loader.", "JDK class loading");
        LIBRARIES.put("java.lang.ClassLoader", "JDK class loading");
        LIBRARIES.put("java.lang.invoke.", "JDK method handles/lambdas");
        LIBRARIES.put("java.util.regex.", "JDK regex");
        LIBRARIES.put("sun.nio.", "JDK NIO (files, sockets)");
        LIBRARIES.put("java.nio.", "JDK NIO (files, sockets)");
        LIBRARIES.put("java.", "JDK other");
        LIBRARIES.put("jdk.", "JDK other");
        LIBRARIES.put("sun.", "JDK other");
    }

    private JfrSummary() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println(summarize(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 20));
    }

    static String summarize(Path recording, int top) throws IOException {
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        Map<String, Integer> byThread = new HashMap<>();
        Map<String, Integer> byLibrary = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> inclusiveOwn = new HashMap<>();
        int samples = 0;
        Duration gcPause = Duration.ZERO;
        int gcs = 0;
        Duration compiling = Duration.ZERO;
        int compilations = 0;
        long maxHeapUsed = 0;
        long classes = 0;
        long compileTotal = 0;
        int compileCount = 0;
        for (RecordedEvent event : events) {
            switch (event.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    RecordedStackTrace stack = event.getStackTrace();
                    if (stack == null || stack.getFrames().isEmpty()) {
                        continue;
                    }
                    samples++;
                    RecordedThread thread = event.getThread("sampledThread");
                    String threadName = thread == null ? "?" : thread.getJavaName();
                    byThread.merge(threadGroup(threadName), 1, Integer::sum);
                    List<RecordedFrame> frames = stack.getFrames();
                    String topMethod = method(frames.get(0));
                    self.merge(topMethod, 1, Integer::sum);
                    byLibrary.merge(library(topMethod), 1, Integer::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame frame : frames) {
                        String method = method(frame);
                        if (seen.add(method)) {
                            inclusive.merge(method, 1, Integer::sum);
                            if (method.startsWith("dev.tcjobmonitor.")) {
                                inclusiveOwn.merge(method, 1, Integer::sum);
                            }
                        }
                    }
                }
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    gcPause = gcPause.plus(event.getDuration("sumOfPauses"));
                }
                case "jdk.Compilation" -> {
                    compilations++;
                    compiling = compiling.plus(event.getDuration());
                }
                case "jdk.GCHeapSummary" -> maxHeapUsed = Math.max(maxHeapUsed, event.getLong("heapUsed"));
                case "jdk.CompilerStatistics" -> {
                    compileTotal = Math.max(compileTotal, event.getDuration("totalTimeSpent").toMillis());
                    compileCount = Math.max(compileCount, event.getInt("compileCount"));
                }
                case "jdk.ClassLoadingStatistics" -> classes = Math.max(classes, event.getLong("loadedClassCount"));
                default -> {
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("JFR %s: %d Java execution samples (about one per 10-20 ms of a running thread)%n", recording, samples));
        out.append(String.format("GC: %d collections, %.0f ms of pauses; max heap used %.0f MB; JIT compilations recorded (>= threshold): %d, %.0f ms; classes loaded: %d%n",
                gcs, gcPause.toNanos() / 1e6, maxHeapUsed / 1048576.0, compilations, compiling.toNanos() / 1e6, classes));
        out.append(String.format("JIT (jdk.CompilerStatistics): %d compilations, %d ms total compile time%n", compileCount, compileTotal));
        out.append(table("samples by thread", byThread, samples, top));
        out.append(table("samples by library of the running (top) frame", byLibrary, samples, top));
        out.append(table("top methods, self (top frame)", self, samples, top));
        out.append(table("top methods, inclusive (on the stack)", inclusive, samples, top));
        out.append(table("tc-job-monitor methods, inclusive", inclusiveOwn, samples, top));
        return out.toString();
    }

    private static String table(String title, Map<String, Integer> counts, int total, int top) {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        return "\n" + title + ":\n" + sorted.stream().limit(top)
                .map(entry -> String.format("  %5.1f%%  %6d  %s", 100.0 * entry.getValue() / Math.max(1, total), entry.getValue(), entry.getKey()))
                .collect(Collectors.joining("\n")) + "\n";
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    static String library(String method) {
        for (Map.Entry<String, String> library : LIBRARIES.entrySet()) {
            if (method.startsWith(library.getKey())) {
                return library.getValue();
            }
        }
        int dot = method.lastIndexOf('.', method.lastIndexOf('.') - 1);
        return dot > 0 ? method.substring(0, dot) : method;
    }

    private static String threadGroup(String name) {
        return name.replaceAll("\\d+", "#");
    }
}
