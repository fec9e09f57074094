package dev.tcjobmonitor;

import java.util.List;

/** The command line: {@code [--once] [--demo] [--dry-run] [--since WHEN] [--check] [--help]}. */
record CommandLine(boolean once, boolean demo, boolean dryRun, String since, boolean check, boolean help) {

    /** A dry run and a backfill are single polls too. */
    boolean singlePoll() {
        return once || dryRun || since != null;
    }

    static final String USAGE = """
            Usage: tc-job-monitor [--once] [--demo] [--dry-run] [--since WHEN] [--check] [--help]
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
              --help       print this text
            Exit status 2: bad command line or configuration.
            """;

    static CommandLine parse(List<String> args) {
        boolean once = false;
        boolean demo = false;
        boolean dryRun = false;
        String since = null;
        boolean check = false;
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--once" -> once = true;
                case "--demo" -> demo = true;
                case "--dry-run" -> dryRun = true;
                case "--check" -> check = true;
                case "--since" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("--since needs an instant or a duration");
                    }
                    since = args.get(++i);
                }
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option '" + args.get(i) + "'");
            }
        }
        return new CommandLine(once, demo, dryRun, since, check, help);
    }
}
