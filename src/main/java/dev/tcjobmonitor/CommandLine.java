package dev.tcjobmonitor;

import dev.tcjobmonitor.monitor.Backfill;
import java.util.List;

/**
 * The command line: {@code [--once] [--demo] [--dry-run] [--since WHEN] [--check] [--help]}, or one
 * of the commands on a monitor's state, {@code --replay-dead-letter SINK} and {@code --rewind WHEN},
 * with {@code [--monitor NAME]}.
 */
record CommandLine(boolean once, boolean demo, boolean dryRun, String since, boolean check, boolean help,
                   String replayDeadLetter, String rewind, String monitor) {

    /** A dry run and a backfill are single polls too. */
    boolean singlePoll() {
        return once || dryRun || since != null;
    }

    /** --replay-dead-letter or --rewind: a command on one monitor's state, which polls nothing. */
    boolean stateCommand() {
        return replayDeadLetter != null || rewind != null;
    }

    static final String USAGE = """
            Usage: tc-job-monitor [--once] [--demo] [--dry-run] [--since WHEN] [--check] [--help]
                   tc-job-monitor --replay-dead-letter SINK [--monitor NAME]
                   tc-job-monitor --rewind WHEN [--monitor NAME]
                   (or java -jar tc-job-monitor.jar ..., which starts slower: no class archive)

            Watches ThreatConnect for failed Job executions and delivers each one, once, to the
            configured sinks. Settings come from application.properties (shipped defaults, then the
            file in the working directory) and environment variables (TC_BASE_URL, ...); monitors
            from routes/*.camel.yaml.

              (no option)  run as a daemon, polling on monitor.cron
              --once       poll every monitor once, then exit: 0 if every poll succeeded, 1 if not
              --demo       start the built-in ThreatConnect simulator, seed it, keep adding
                           executions every minute, and point the shipped monitor at it, with
                           temporary state and the file sink only (data/demo/alerts); the
                           configured sinks, state and routes/ are left alone
              --dry-run    poll once and log what each sink would receive; send nothing and
                           change no state
              --since WHEN backfill: poll once over a window from WHEN, an ISO-8601 instant
                           (2026-11-01T00:00:00Z) or a duration before now (P7D, PT12H),
                           delivering only what each sink has not had yet
              --check      check the configuration, reach ThreatConnect with the credentials and
                           each configured sink, one line per check; exit 1 if one fails
              --replay-dead-letter SINK
                           send the sink's dead-lettered alerts again, once each, through the
                           sink's route and its retries; what it accepts leaves the dead letter,
                           what it refuses again stays; exit 1 if it refused any
              --rewind WHEN
                           move the monitor's watermark back to WHEN (an instant, or a duration
                           before now): its next poll reads from there; what each sink already
                           had is not sent again
              --monitor NAME
                           the monitor of --replay-dead-letter or --rewind (needed when there
                           are several)
              --help       print this text
            Exit status 2: bad command line or configuration, or the state is in use by a
            running daemon (--replay-dead-letter and --rewind refuse to run beside it).
            Exit status 1: --replay-dead-letter or --rewind refused while another node of the
            cluster polls the monitor ("is being polled by another process"): run it again once
            that poll is done.
            """;

    static CommandLine parse(List<String> args) {
        boolean once = false;
        boolean demo = false;
        boolean dryRun = false;
        String since = null;
        boolean check = false;
        boolean help = false;
        String replay = null;
        String rewind = null;
        String monitor = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--once" -> once = true;
                case "--demo" -> demo = true;
                case "--dry-run" -> dryRun = true;
                case "--check" -> check = true;
                case "--since" -> since = value(args, ++i, "--since needs an instant or a duration");
                case "--replay-dead-letter" -> replay = value(args, ++i, "--replay-dead-letter needs a sink");
                case "--rewind" -> rewind = value(args, ++i, "--rewind needs an instant or a duration");
                case "--monitor" -> monitor = value(args, ++i, "--monitor needs a monitor's name");
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option '" + args.get(i) + "'");
            }
        }
        if (replay != null && rewind != null) {
            throw new IllegalArgumentException("--rewind and --replay-dead-letter are separate commands: run one, then the other");
        }
        if (replay != null || rewind != null) {
            String command = replay != null ? "--replay-dead-letter" : "--rewind";
            if (once || demo || dryRun || since != null || check) {
                throw new IllegalArgumentException(command + " is a command of its own: it goes with --monitor only");
            }
            if (rewind != null) {
                Backfill.parse("--rewind", rewind);
            }
        } else if (monitor != null) {
            throw new IllegalArgumentException("--monitor goes with --replay-dead-letter or --rewind");
        }
        return new CommandLine(once, demo, dryRun, since, check, help, replay, rewind, monitor);
    }

    /** The value after an option, which is not another option. */
    private static String value(List<String> args, int index, String missing) {
        if (index >= args.size() || args.get(index).startsWith("--")) {
            throw new IllegalArgumentException(missing);
        }
        return args.get(index);
    }
}
