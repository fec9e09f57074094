package dev.tcjobmonitor.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How the benchmark starts the monitor: as README runs it, or as plain {@code java -jar}. */
enum Launch {

    /**
     * {@code tc-job-monitor}, the launcher the build writes beside the jar: the jar with the build's
     * class-data sharing archive; JVM options go through JAVA_OPTS, as an operator passes them.
     */
    LAUNCHER("`tc-job-monitor` (the launcher: the build's class archive)"),
    /** {@code java -jar tc-job-monitor.jar}: no archive of the application's classes. */
    JAVA_JAR("plain `java -jar tc-job-monitor.jar`");

    final String how;

    Launch(String how) {
        this.how = how;
    }

    /** The command for {@code args}; puts what the launcher reads from the environment into {@code settings}. */
    List<String> command(Path jar, List<String> jvmOptions, Map<String, String> settings, String... args) {
        List<String> command = new ArrayList<>();
        if (this == LAUNCHER) {
            command.add(jar.resolveSibling("tc-job-monitor").toString());
            settings.put("JAVA_HOME", System.getProperty("java.home"));
            settings.put("JAVA_OPTS", String.join(" ", jvmOptions));
        } else {
            command.add(Benchmark.java());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
        }
        command.addAll(List.of(args));
        return command;
    }
}
