package dev.tcjobmonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link EmailDigestInBrowserTest} finds the browser .ci/run installed: `command -v chromium`
 * there, the PATH here; $CHROMIUM overrides both. Fake "chromium" files in a temp dir stand in for
 * installations (nothing is run).
 */
class ChromiumLookupTest {

    @TempDir
    Path dir;

    @Test
    void chromiumOnThePathIsFound() throws Exception {
        Path onPath = executable(dir.resolve("bin"));
        assertThat(EmailDigestInBrowserTest.locateChromium(Map.of("PATH", dir.resolve("empty") + ":" + onPath.getParent())))
                .contains(onPath);
    }

    @Test
    void aNonExecutableChromiumOnThePathIsPassedOver() throws Exception {
        Path notExecutable = Files.createDirectories(dir.resolve("a")).resolve("chromium");
        Files.writeString(notExecutable, "");
        Path executable = executable(dir.resolve("b"));
        assertThat(EmailDigestInBrowserTest.locateChromium(Map.of("PATH", notExecutable.getParent() + ":" + executable.getParent())))
                .contains(executable);
    }

    @Test
    void theChromiumVariableWinsOverThePath() throws Exception {
        Path onPath = executable(dir.resolve("bin"));
        Path chosen = executable(dir.resolve("chosen"));
        assertThat(EmailDigestInBrowserTest.locateChromium(Map.of("PATH", onPath.getParent().toString(), "CHROMIUM", chosen.toString())))
                .contains(chosen);
    }

    @Test
    void aChromiumVariableNamingNothingMeansNoBrowserEvenWithOneOnThePath() throws Exception {
        Path onPath = executable(dir.resolve("bin"));
        assertThat(EmailDigestInBrowserTest.locateChromium(Map.of("PATH", onPath.getParent().toString(), "CHROMIUM", "/nonexistent")))
                .isEmpty();
    }

    private static Path executable(Path folder) throws Exception {
        Path file = Files.createDirectories(folder).resolve("chromium");
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
