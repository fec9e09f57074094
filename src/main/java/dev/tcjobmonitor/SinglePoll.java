package dev.tcjobmonitor;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.monitor.PollHistory;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * Runs the standalone process's single poll of every monitor ({@code --once}, {@code --since},
 * {@code --dry-run}) and turns its outcome into the exit status: started without the cron, polled
 * once, stopped once nothing is in flight.
 */
final class SinglePoll {

    /**
     * How long --once waits for the poll's exchange to complete before stopping Camel: longer than
     * that (a notice to a sink that is retrying), and the graceful shutdown waits for it as before.
     */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(1);
    /** Bounds --once even when something below the HTTP timeouts hangs. */
    static final Duration ONCE_TIMEOUT = Duration.ofMinutes(30);

    private SinglePoll() {
    }

    static int run(Properties overrides, boolean demo, PrintStream err) {
        Main main = Application.createMain(overrides, demo);
        // a database that cannot be reached: no poll could run, a poll that failed
        java.util.OptionalInt notStarted = Application.startLockingTheStateFolder(main, err, "poll failed: ");
        if (notStarted.isPresent()) {
            return notStarted.getAsInt();
        }
        if (MonitorTriggers.monitorNames(main.getCamelContext()).isEmpty()) {
            // a configuration with nothing to poll is a bad configuration, as a bad setting is
            err.println("tc-job-monitor: " + Application.NO_MONITOR);
            main.stop();
            return Application.EXIT_USAGE;
        }
        try {
            MonitorTriggers.startWithoutSchedule(main.getCamelContext());
            List<Poll> polls = pollAllNow(main.getCamelContext());
            awaitNothingInFlight(main.getCamelContext(), SETTLE_TIMEOUT);
            int exit = Application.EXIT_OK;
            for (Poll poll : polls) {
                if (poll.failure().isPresent()) {
                    err.println("tc-job-monitor: poll of '" + poll.monitor().name() + "' failed: " + poll.failure().get());
                    exit = Application.EXIT_POLL_FAILED;
                }
            }
            return exit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("tc-job-monitor: interrupted while polling");
            return Application.EXIT_POLL_FAILED;
        } catch (RuntimeException e) {
            err.println("tc-job-monitor: " + Application.rootMessage(e));
            return Application.EXIT_POLL_FAILED;
        } finally {
            main.stop();
        }
    }

    /**
     * Waits, at most {@code timeout}, until no exchange is in flight. A poll counts as done a moment
     * before its exchange completes; Camel's graceful shutdown, finding it still in flight, would
     * look again only a second later.
     */
    static void awaitNothingInFlight(CamelContext context, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (context.getInflightRepository().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /** Runs one poll of every monitor now and waits for all of them to finish. */
    static List<Poll> pollAllNow(CamelContext context) throws InterruptedException {
        PollHistory history = context.getRegistry().lookupByNameAndType("tcPollHistory", PollHistory.class);
        List<String> monitors = MonitorTriggers.monitorNames(context);
        if (monitors.isEmpty()) {
            throw new IllegalStateException(Application.NO_MONITOR);
        }
        Map<String, Integer> before = history.counts(monitors);
        MonitorTriggers.pollNow(context);
        return history.awaitPollsAfter(before, ONCE_TIMEOUT);
    }
}
