package dev.tcjobmonitor;

import java.util.List;

/** The command line: {@code [--once] [--demo] [--help]}. */
record CommandLine(boolean once, boolean demo, boolean help) {

    static final String USAGE = """
            Usage: java -jar target/tc-job-monitor.jar [--once] [--demo] [--help]

            Watches ThreatConnect for failed Job executions and delivers each one, once, to the
            configured sinks. Settings come from application.properties (shipped defaults, then the
            file in the working directory) and environment variables (TC_BASE_URL, ...); monitors
            from routes/*.camel.yaml.

              (no option)  run as a daemon, polling on monitor.cron
              --once       poll every monitor once, then exit: 0 if every poll succeeded, 1 if not
              --demo       start the built-in ThreatConnect simulator, seed it, keep adding
                           executions every minute, and point the monitor at it
              --help       print this text
            Exit status 2: bad command line or configuration.
            """;

    static CommandLine parse(List<String> args) {
        boolean once = false;
        boolean demo = false;
        boolean help = false;
        for (String arg : args) {
            switch (arg) {
                case "--once" -> once = true;
                case "--demo" -> demo = true;
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return new CommandLine(once, demo, help);
    }
}
