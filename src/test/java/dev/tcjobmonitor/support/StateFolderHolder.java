package dev.tcjobmonitor.support;

import dev.tcjobmonitor.state.StateFolderLock;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Another process on a state folder: {@code java StateFolderHolder <folder>} takes the folder's
 * lock as a monitor would, says "held" on its standard output, and keeps the lock until its
 * standard input is closed (the test that started it closes it, or ends).
 */
public final class StateFolderHolder {

    private StateFolderHolder() {
    }

    public static void main(String[] args) throws IOException {
        try (StateFolderLock lock = StateFolderLock.acquire(Path.of(args[0]))) {
            System.out.println("held");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes the pipe
            }
        }
    }

    /** Starts a holder of {@code folder} in a JVM of its own and returns once it holds it. */
    public static Process start(Path folder) throws IOException {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                StateFolderHolder.class.getName(), folder.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String said = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
        if (!"held".equals(said)) {
            holder.destroyForcibly();
            throw new IllegalStateException("the holder process did not take the lock of " + folder + " (it said: " + said + ")");
        }
        return holder;
    }
}
