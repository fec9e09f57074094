package dev.tcjobmonitor.e2e;

import java.io.File;
import java.io.IOException;
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

    /** {@code java -cp classPath mainClass}, with the JVM options of the other child JVMs. */
    static List<String> hostCommand(List<Path> classPath, String mainClass) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()), mainClass);
    }

    /**
     * The class path Maven resolved for the application {@code src/test/hosts/<host>/pom.xml}, as
     * its own build resolves it (the build's maven-invoker-plugin writes it to
     * {@code target/hosts/<host>/classpath.txt}), with this build's jar where Maven put
     * tc-job-monitor's artifact: what the application runs with once it depends on this version.
     * The jar is copied to {@code folder} first: beside target/lib/ its manifest's {@code Class-Path}
     * (lib/*.jar, for {@code java -jar}) would bring every dependency of the standalone monitor along,
     * which an application's copy of the artifact (in a Maven repository, in a Spring Boot jar) never has.
     */
    static List<Path> resolvedClassPath(String host, Path folder) throws IOException {
        Path jar = Files.copy(JAR, Files.createDirectories(folder).resolve("tc-job-monitor-0.1.0-SNAPSHOT.jar"));
        Path file = JAR.resolveSibling("hosts").resolve(host).resolve("classpath.txt");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: run `mvn verify` (maven-invoker-plugin writes it in"
                    + " pre-integration-test)");
        }
        List<Path> classPath = new ArrayList<>();
        int ours = 0;
        for (String entry : Files.readString(file).strip().split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (path.getFileName().toString().startsWith("tc-job-monitor-")) {
                ours++;
                path = jar;
            }
            classPath.add(path);
        }
        if (ours != 1) {
            throw new IllegalStateException(file + " holds tc-job-monitor " + ours + " times: " + classPath);
        }
        return classPath;
    }
}
