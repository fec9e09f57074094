package dev.tcjobmonitor;

import dev.tcjobmonitor.monitor.Backfill;
import dev.tcjobmonitor.monitor.JobMonitor;
import dev.tcjobmonitor.monitor.StateCommands;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.main.Main;

/**
 * {@code --replay-dead-letter SINK} and {@code --rewind WHEN} ({@link StateCommands}): the
 * application started as a one-shot run is (no management server, Quartz not running, so no
 * monitor polls), on the state folder it takes for itself at start, as every process that polls
 * does: beside a daemon on the same folder it does not start (exit 2, naming the daemon's pid).
 */
final class OperatorCommands {

    private OperatorCommands() {
    }

    /** @return 0: done (every alert accepted); 1: some refused again, or the state could not be used; 2: bad usage or configuration */
    static int run(CommandLine commandLine, Properties overrides, PrintStream out, PrintStream err) {
        Main main = Application.createMain(overrides, false);
        java.util.OptionalInt notStarted = Application.startLockingTheStateFolder(main, err, "");
        if (notStarted.isPresent()) {
            return notStarted.getAsInt();
        }
        try {
            JobMonitor monitor = monitor(StateCommands.monitors(main.getCamelContext()), commandLine.monitor());
            if (commandLine.replayDeadLetter() != null) {
                return replay(main, monitor, commandLine.replayDeadLetter(), out, err);
            }
            StateCommands.Rewind rewind = StateCommands.rewind(monitor, Backfill.parse("--rewind", commandLine.rewind()));
            out.println("Watermark of monitor '" + monitor.name() + "' moved back from "
                    + rewind.from().map(Object::toString).orElse("none (it never polled)") + " to " + rewind.to()
                    + ": its next poll reads from there (less monitor.overlap); " + resent(rewind));
            rewind.warning().ifPresent(warning -> err.println("tc-job-monitor: warning: " + warning));
            return Application.EXIT_OK;
        } catch (IllegalArgumentException usage) {
            err.println("tc-job-monitor: " + usage.getMessage());
            return Application.EXIT_USAGE;
        } catch (RuntimeException e) {
            Optional<String> databaseDown = Application.clusterDatabaseUnreachable(main.getCamelContext(), e);
            err.println("tc-job-monitor: " + databaseDown.orElseGet(() -> Application.rootMessage(e)));
            return Application.EXIT_POLL_FAILED;
        } finally {
            main.stop();
        }
    }

    private static int replay(Main main, JobMonitor monitor, String sink, PrintStream out, PrintStream err) {
        StateCommands.Replay replay = StateCommands.replayDeadLetter(main.getCamelContext(), monitor, sink);
        String which = "of sink '" + sink + "' of monitor '" + monitor.name() + "'";
        if (replay.replayed() == 0 && replay.kept() == 0) {
            out.println("Nothing to replay: no dead-lettered alert " + which);
            return Application.EXIT_OK;
        }
        out.println("Replayed " + replay.replayed() + " dead-lettered alert(s) " + which + ": " + replay.accepted()
                + " accepted (removed from the dead letter), " + replay.kept() + " kept in the dead letter");
        if (replay.allAccepted()) {
            return Application.EXIT_OK;
        }
        err.println("tc-job-monitor: sink '" + sink + "' of monitor '" + monitor.name() + "' did not accept " + replay.kept()
                + " dead-lettered alert(s), kept in " + replay.file()
                + replay.error().map(error -> ": " + error).orElse(" (lines that are not an alert)"));
        return Application.EXIT_POLL_FAILED;
    }

    /** What the next polls send again: nothing a sink had, as far back as the delivered ids reach. */
    private static String resent(StateCommands.Rewind rewind) {
        return rewind.uncheckedBefore()
                .map(before -> "a failure a sink already had is sent to it again if it failed before " + before
                        + " (past monitor.delivered-retention), not if it failed later")
                .orElse("what a sink already had is not sent again");
    }

    /** The monitor named, or the only one. */
    private static JobMonitor monitor(Map<String, JobMonitor> monitors, String name) {
        if (monitors.isEmpty()) {
            throw new IllegalArgumentException(Application.NO_MONITOR);
        }
        if (name != null) {
            JobMonitor monitor = monitors.get(name);
            if (monitor == null) {
                throw new IllegalArgumentException("no monitor '" + name + "' (monitors: " + String.join(", ", monitors.keySet()) + ")");
            }
            return monitor;
        }
        if (monitors.size() > 1) {
            throw new IllegalArgumentException("there are several monitors (" + String.join(", ", monitors.keySet())
                    + "): name one with --monitor");
        }
        return monitors.values().iterator().next();
    }
}
