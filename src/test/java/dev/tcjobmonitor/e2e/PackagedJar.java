package dev.tcjobmonitor.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The packaged jar, which the *IT tests run as child processes, as an operator runs it. */
final class PackagedJar {

    static final Path JAR = Path.of(System.getProperty("monitor.jar", "target/tc-job-monitor.jar")).toAbsolutePath();
    /** The class-data sharing archive the build writes beside the jar (unless -Dcds.skip=true). */
    static final Path CLASS_ARCHIVE = JAR.resolveSibling("tc-job-monitor.jsa");

    private PackagedJar() {
    }

    /**
     * {@code java -jar tc-job-monitor.jar args}, with the build's class archive as the launcher
     * passes it, and C1 only and the serial collector: start-up speed on two cores for the ~30 child
     * JVMs of the suite; nothing here changes what the monitor does.
     */
    static List<String> command(String... args) {
        return command(List.of(), args);
    }

    /** As {@link #command(String...)}, with more JVM options (e.g. {@code -D} logging levels) before {@code -jar}. */
    static List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        if (Files.isRegularFile(CLASS_ARCHIVE)) {
            command.add("-XX:SharedArchiveFile=" + CLASS_ARCHIVE);
        }
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * {@code java -cp tc-job-monitor.jar:lib/*:hostClasses mainClass}: someone else's application
     * with the packaged jar and the dependencies the build copied beside it on its class path, and
     * its own class path root (its resources) after them. No class archive: it is for {@code -jar}.
     */
    static List<String> hostCommand(Path hostClasses, String mainClass) {
        String classPath = String.join(java.io.File.pathSeparator,
                JAR.toString(), JAR.resolveSibling("lib") + java.io.File.separator + "*", hostClasses.toAbsolutePath().toString());
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath, mainClass);
    }
}
