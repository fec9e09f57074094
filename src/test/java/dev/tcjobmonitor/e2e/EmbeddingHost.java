package dev.tcjobmonitor.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An application of other people's that embeds the packaged jar (src/test/hosts/), as a child
 * process in {@code workDir}, its output captured to files, with its ThreatConnect credentials in
 * the environment under its own keys (SOC_THREATCONNECT_*), as its deployment sets them.
 */
record EmbeddingHost(Process process, Path stdout, Path stderr) implements AutoCloseable {

    /** The access id of the API user the hosts sign with. */
    static final String ACCESS_ID = "soc-user";
    /** A start of a fresh JVM plus a poll every two seconds, on a busy two-core machine: generous. */
    static final Duration DELIVERY = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    static EmbeddingHost start(List<String> command, Path workDir, ThreatConnectSimulator tc, String secretKey) throws IOException {
        return start(command, workDir, tc, secretKey, Map.of());
    }

    /** As {@link #start(List, Path, ThreatConnectSimulator, String)}, with more environment variables. */
    static EmbeddingHost start(List<String> command, Path workDir, ThreatConnectSimulator tc, String secretKey,
            Map<String, String> moreEnvironment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(workDir.resolve("stdout.txt").toFile())
                .redirectError(workDir.resolve("stderr.txt").toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_")
                || key.startsWith("SINK") || key.startsWith("CAMEL_") || key.startsWith("SOC_")
                || key.startsWith("SPRING_") || key.startsWith("SERVER_") || key.startsWith("MANAGEMENT_"));
        // the application's own keys (Camel and Spring Boot read SOC_THREATCONNECT_URL for
        // soc.threatconnect.url)
        environment.put("SOC_THREATCONNECT_URL", tc.baseUrl());
        environment.put("SOC_THREATCONNECT_ACCESS_ID", ACCESS_ID);
        environment.put("SOC_THREATCONNECT_SECRET_KEY", secretKey);
        environment.putAll(moreEnvironment);
        return new EmbeddingHost(builder.start(), workDir.resolve("stdout.txt"), workDir.resolve("stderr.txt"));
    }

    String output() throws IOException {
        return Files.readString(stdout) + Files.readString(stderr);
    }

    /** The JSON document in {@code file}, once the application wrote it; fails at once if it stopped. */
    JsonNode awaitJson(Path file) {
        return await().atMost(DELIVERY).until(() -> {
            stillRunning();
            return Files.isRegularFile(file) ? parse(Files.readString(file)) : null;
        }, json -> json != null);
    }

    /** The file sink's JSON lines under {@code directory}, once there is a complete one. */
    List<JsonNode> awaitJsonLines(Path directory) {
        return await().atMost(DELIVERY).until(() -> {
            stillRunning();
            List<JsonNode> documents = new ArrayList<>();
            if (Files.isDirectory(directory)) {
                try (var files = Files.list(directory)) {
                    for (Path file : files.toList()) {
                        for (String line : Files.readString(file).split("\n")) {
                            if (!line.isBlank()) {
                                documents.addAll(JsonLines.documents(line));
                            }
                        }
                    }
                }
            }
            return documents;
        }, documents -> !documents.isEmpty() && documents.stream().noneMatch(JsonNode::isNull));
    }

    /** Its output once it contains {@code text}; fails at once if the application stopped. */
    String awaitOutput(String text) {
        return await().atMost(DELIVERY).until(() -> {
            stillRunning();
            return output();
        }, output -> output.contains(text));
    }

    /** Its exit code, once it stopped by itself (an application that cannot start). */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(DELIVERY.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the application is still running after " + DELIVERY);
        }
        return process.exitValue();
    }

    void stillRunning() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("the application stopped (exit " + process.exitValue() + "):\n" + output());
        }
    }

    /** A file still being written does not parse yet: null, and the wait goes on. */
    private static JsonNode parse(String text) {
        try {
            return text.isBlank() ? null : JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
