package dev.tcjobmonitor;

import java.util.Properties;
import java.util.function.Predicate;
import org.apache.camel.Ordered;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.spi.LoadablePropertiesSource;
import org.apache.camel.spi.PropertiesSource;
import org.apache.camel.util.IOHelper;

/**
 * The order in which the standalone process's settings are looked up: the command line's (Camel's
 * override properties), then JVM system properties, then environment variables, then the working
 * directory's application.properties, then the shipped defaults (docs/running.md, "Where settings come from").
 * <p>
 * Camel's own default looks up environment variables first and system properties next, both before
 * the override properties: an operator's exported {@code MONITOR_DRY_RUN=false} turned
 * {@code --dry-run} off, and {@code -Dsinks=kafka} sent a {@code --demo}'s alerts to the real Kafka.
 * Here Camel's own lookups of both are off and two property sources of ours take their place,
 * ordered before the property files (Camel numbers its locations from 100) and, like every source,
 * after the override properties.
 */
final class SettingSources {

    static final int SYSTEM_PROPERTIES_ORDER = 10;
    static final int ENVIRONMENT_ORDER = 20;

    private SettingSources() {
    }

    static void install(PropertiesComponent properties) {
        properties.setSystemPropertiesMode(PropertiesComponent.SYSTEM_PROPERTIES_MODE_NEVER);
        properties.setEnvironmentVariableMode(PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
        properties.addPropertiesSource(new SystemProperties());
        properties.addPropertiesSource(new EnvironmentVariables());
    }

    /** {@code -Dmonitor.cron=...}: a key as written. */
    static final class SystemProperties implements PropertiesSource, Ordered {

        @Override
        public String getName() {
            return "SYS";
        }

        @Override
        public String getProperty(String name) {
            return System.getProperty(name);
        }

        @Override
        public int getOrder() {
            return SYSTEM_PROPERTIES_ORDER;
        }
    }

    /**
     * {@code MONITOR_CRON=...}: a key in Camel's form for variables (upper case, dots and dashes as
     * underscores), found as Camel finds it. Loaded in bulk (as camel-main reads its own
     * {@code camel.*} configuration), it is the {@code CAMEL_MANAGEMENT_*} variables only, which
     * camel-main 4.18 does not read itself: it skips every variable ending in {@code _PORT}.
     */
    static final class EnvironmentVariables implements LoadablePropertiesSource, Ordered {

        @Override
        public String getName() {
            return "ENV";
        }

        @Override
        public String getProperty(String name) {
            return IOHelper.lookupEnvironmentVariable(name);
        }

        @Override
        public Properties loadProperties() {
            return Application.managementSettingsFrom(System.getenv());
        }

        @Override
        public Properties loadProperties(Predicate<String> filter) {
            Properties selected = new Properties();
            loadProperties().forEach((key, value) -> {
                if (filter.test((String) key)) {
                    selected.put(key, value);
                }
            });
            return selected;
        }

        @Override
        public void reloadProperties(String location) {
            // the environment of a running process does not change
        }

        @Override
        public int getOrder() {
            return ENVIRONMENT_ORDER;
        }
    }
}
