package dev.tcjobmonitor;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The standalone process's logging defaults (tc-job-monitor-logging.properties) as slf4j-simple
 * system properties. A system property already set on the command line wins over the default, so an
 * operator raises one logger's level with one {@code -D}. Only the standalone process applies them:
 * they are not a {@code simplelogger.properties}, which would also configure an embedding
 * application that happens to use slf4j-simple.
 */
final class StandaloneLogging {

    static final String DEFAULTS = "tc-job-monitor-logging.properties";
    /**
     * Camel's two warnings when a start-up is vetoed: "Lifecycle strategy ... vetoed initializing
     * CamelContext (...) due to: Failure creating route from template: ..." and "CamelContext (...)
     * vetoed to not initialize due to: ...".
     */
    private static final Pattern VETO_WARNING = Pattern.compile("\\bWARN (?:\\S+\\.)?AbstractCamelContext - .*\\bvetoed\\b");

    /** The secrets hidden in the process's stdout and stderr ({@link #withoutSecrets}). */
    static final OutputMask SECRETS = new OutputMask(Charset.defaultCharset());

    private StandaloneLogging() {
    }

    /**
     * {@code out} with every secret of the settings replaced by {@value OutputMask#MASK}: the
     * process's stdout and stderr, whatever writes to them (see {@link OutputMask}).
     */
    static PrintStream withoutSecrets(PrintStream out) {
        return new PrintStream(SECRETS.filter(out), true, Charset.defaultCharset());
    }

    /**
     * Hides from now on, in what {@link #withoutSecrets} writes, the secrets among the process's
     * settings: the environment, the system properties, the command line's and those of the
     * properties files (each as Camel resolves it), see {@link OutputMask#secretsOf}. Called once
     * the property sources are set up, before the first setting is used.
     */
    static void hideSecretsOf(org.apache.camel.spi.PropertiesComponent properties, Properties commandLine) {
        Set<String> secrets = new HashSet<>(OutputMask.secretsOf(System.getenv()));
        secrets.addAll(OutputMask.secretsOf(asMap(System.getProperties())));
        secrets.addAll(OutputMask.secretsOf(asMap(commandLine)));
        Map<String, String> resolved = new HashMap<>();
        for (String key : properties.loadProperties().stringPropertyNames()) {
            try {
                properties.resolveProperty(key).ifPresent(value -> resolved.put(key, value));
            } catch (RuntimeException unresolvable) {
                // a placeholder that names no setting: Camel says so where the setting is used
            }
        }
        secrets.addAll(OutputMask.secretsOf(resolved));
        SECRETS.hide(secrets);
    }

    private static Map<String, String> asMap(Properties properties) {
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
        return map;
    }

    /** Must run before the first logger is created: slf4j-simple reads its settings once. */
    static void applyDefaults() {
        defaults().forEach((key, value) -> {
            if (System.getProperty((String) key) == null) {
                System.setProperty((String) key, (String) value);
            }
        });
    }

    /**
     * The process's standard output, where slf4j-simple writes each log line with one
     * {@code println}, without Camel's warnings that start-up was vetoed. A veto (a monitor's bad
     * setting, found while Camel creates its route) always ends start-up, and Application then prints
     * one line that names the setting and what is wrong with it; the two vague warnings before it
     * were the first thing an operator read.
     */
    static PrintStream withoutVetoWarnings(PrintStream out) {
        return new PrintStream(out, true) {
            @Override
            public void println(String line) {
                if (line == null || !VETO_WARNING.matcher(line).find()) {
                    super.println(line);
                }
            }
        };
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
