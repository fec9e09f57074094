package dev.tcjobmonitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The standalone process's logging defaults (tc-job-monitor-logging.properties) as slf4j-simple
 * system properties. A system property already set on the command line wins over the default, so an
 * operator raises one logger's level with one {@code -D}. Only the standalone process applies them:
 * they are not a {@code simplelogger.properties}, which would also configure an embedding
 * application that happens to use slf4j-simple.
 */
final class StandaloneLogging {

    static final String DEFAULTS = "tc-job-monitor-logging.properties";

    private StandaloneLogging() {
    }

    /** Must run before the first logger is created: slf4j-simple reads its settings once. */
    static void applyDefaults() {
        defaults().forEach((key, value) -> {
            if (System.getProperty((String) key) == null) {
                System.setProperty((String) key, (String) value);
            }
        });
    }

    static Properties defaults() {
        Properties defaults = new Properties();
        try (InputStream in = StandaloneLogging.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS + " is missing from the class path");
            }
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DEFAULTS, e);
        }
        return defaults;
    }
}
