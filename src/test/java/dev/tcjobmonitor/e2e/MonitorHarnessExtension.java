package dev.tcjobmonitor.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up the end-to-end tests share: a temporary folder per test, the monitors started in it,
 * and the servers around them, all closed after the test in an order that cannot hold a test up.
 * Register it with {@code @RegisterExtension final MonitorHarnessExtension monitors = new
 * MonitorHarnessExtension();}.
 *
 * <p>After each test: first what was registered with {@link #closeFirst} (a sink that may hold a
 * poll, such as a hanging webhook: its poll ends before the monitor stops), then the monitors,
 * last created first, then what was registered with {@link #closeLast} (the servers the monitors
 * use: Kafka, SMTP, PostgreSQL; last registered first), then the folder is deleted.
 */
final class MonitorHarnessExtension implements AfterEachCallback {

    private Path tempDir;
    private final List<AutoCloseable> first = new ArrayList<>();
    private final Deque<MonitorHarness> monitors = new ArrayDeque<>();
    private final Deque<AutoCloseable> last = new ArrayDeque<>();

    /** This test's temporary folder; deleted after it. */
    Path tempDir() {
        if (tempDir == null) {
            try {
                tempDir = Files.createTempDirectory("tc-job-monitor-e2e");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a temporary folder", e);
            }
        }
        return tempDir;
    }

    /** A monitor (not started) with its state and alerts in {@link #tempDir()}, closed after the test. */
    MonitorHarness harness() {
        return closeAfterTest(new MonitorHarness(tempDir()));
    }

    /** A monitor (not started) in {@code folder} of {@link #tempDir()}, beside servers with folders of their own. */
    MonitorHarness harness(String folder) {
        return closeAfterTest(new MonitorHarness(tempDir().resolve(folder)));
    }

    private MonitorHarness closeAfterTest(MonitorHarness harness) {
        monitors.push(harness);
        return harness;
    }

    /** Closed after the test, before the monitors: a sink that may hold a poll. */
    <T extends AutoCloseable> T closeFirst(T sink) {
        first.add(sink);
        return sink;
    }

    /** Closed after the test, after the monitors: a server they use. */
    <T extends AutoCloseable> T closeLast(T server) {
        last.push(server);
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<AutoCloseable> order = new ArrayList<>(first);
        order.addAll(monitors);
        order.addAll(last);
        first.clear();
        monitors.clear();
        last.clear();
        Exception failure = null;
        for (AutoCloseable resource : order) {
            try {
                resource.close();
            } catch (Exception e) {
                // everything else is still closed; the first failure fails the test
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (tempDir != null) {
            try (var paths = Files.walk(tempDir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
            tempDir = null;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
