package dev.tcjobmonitor.e2e;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What the test JVM's log (slf4j-simple on System.out, src/test/resources/simplelogger.properties)
 * receives while an action runs; it still reaches the console as well.
 */
final class StandardOutput {

    interface Action {
        void run() throws Exception;
    }

    private StandardOutput() {
    }

    static String of(Action action) throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        OutputStream both = new OutputStream() {
            @Override
            public void write(int b) {
                console.write(b);
                copy.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                console.write(bytes, offset, length);
                copy.write(bytes, offset, length);
            }
        };
        System.setOut(new PrintStream(both, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(console);
        }
        return copy.toString(StandardCharsets.UTF_8);
    }
}
