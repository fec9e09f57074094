package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StandaloneLoggingTest {

    private static final String QUARTZ_LEVEL = "org.slf4j.simpleLogger.log.org.quartz";
    private static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    private Properties saved;

    @BeforeEach
    void saveSystemProperties() {
        saved = (Properties) System.getProperties().clone();
        StandaloneLogging.defaults().stringPropertyNames().forEach(System::clearProperty);
    }

    @AfterEach
    void restoreSystemProperties() {
        System.setProperties(saved);
    }

    @Test
    void theProcessLogsInfoToStdoutWithTimeLevelAndShortLoggerName() {
        StandaloneLogging.applyDefaults();

        assertThat(System.getProperty(DEFAULT_LEVEL)).isEqualTo("info");
        assertThat(System.getProperty("org.slf4j.simpleLogger.logFile")).isEqualTo("System.out");
        assertThat(System.getProperty("org.slf4j.simpleLogger.dateTimeFormat")).isEqualTo("yyyy-MM-dd HH:mm:ss.SSS");
        assertThat(System.getProperty("org.slf4j.simpleLogger.showShortLogName")).isEqualTo("true");
        assertThat(System.getProperty(QUARTZ_LEVEL)).isEqualTo("warn");
    }

    @Test
    void aSettingGivenOnTheCommandLineWinsOverTheDefault() {
        System.setProperty(QUARTZ_LEVEL, "debug");

        StandaloneLogging.applyDefaults();

        assertThat(System.getProperty(QUARTZ_LEVEL)).isEqualTo("debug");
        assertThat(System.getProperty(DEFAULT_LEVEL)).isEqualTo("info");
    }

    @Test
    void everyDefaultIsAnSlf4jSimpleSetting() {
        assertThat(StandaloneLogging.defaults().stringPropertyNames())
                .isNotEmpty()
                .allSatisfy(key -> assertThat(key).startsWith("org.slf4j.simpleLogger."));
    }

    @Test
    void theSecretsOfEverySourceOfSettingsAreHiddenInTheProcesssOutput() throws Exception {
        System.setProperty("tc-eu.secret-key", "SysPropSecret-1");
        Properties commandLine = new Properties();
        commandLine.setProperty("monitor.cluster.password", "CommandLinePw-2");
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        PrintStream out = StandaloneLogging.withoutSecrets(new PrintStream(written, true, java.nio.charset.Charset.defaultCharset()));

        try (org.apache.camel.CamelContext context = new org.apache.camel.impl.DefaultCamelContext()) {
            Properties files = new Properties();
            files.setProperty("sink.slack.webhook-url", "https://hooks.slack.com/services/T000/B000/FileSecret3");
            // as application.properties hands the JAAS login to Camel's component: a placeholder
            files.setProperty("camel.component.kafka.sasl-jaas-config", "{{sink.kafka.sasl-jaas-config}}");
            files.setProperty("sink.kafka.sasl-jaas-config", "PlainLoginModule required username=\"u\" password=\"JaasPw-4\";");
            context.getPropertiesComponent().setInitialProperties(files);

            StandaloneLogging.hideSecretsOf(context.getPropertiesComponent(), commandLine);
        }
        out.println("SysPropSecret-1 CommandLinePw-2 https://hooks.slack.com/services/T000/B000/FileSecret3 password=\"JaasPw-4\"");

        assertThat(written.toString(java.nio.charset.Charset.defaultCharset()))
                .isEqualTo("xxxxxx xxxxxx https://hooks.slack.comxxxxxx password=\"xxxxxx\"" + System.lineSeparator());
    }

    @Test
    void onlyCamelsWarningsThatStartUpWasVetoedAreLeftOutOfTheOutput() {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        PrintStream out = StandaloneLogging.withoutVetoWarnings(new PrintStream(written, true, StandardCharsets.UTF_8));
        String kept = String.join("\n",
                "2026-11-29 23:17:37.057 INFO MainSupport - Apache Camel (Main) 4.18.0 is starting",
                "2026-11-29 23:17:37.800 WARN AbstractCamelContext - Error stopping endpoint direct://x. This exception will be ignored.",
                "2026-11-29 23:17:37.900 WARN JobMonitor - Poll of 'vetoed' failed",
                "FAIL configuration: invalid setting pageSize (monitor.page-size) of monitor 'default': 20000 is outside 1..10000");

        out.println("2026-11-29 23:17:37.782 WARN AbstractCamelContext - Lifecycle strategy org.apache.camel.component.kamelet."
                + "KameletComponent$LifecycleHandler@7c351808 vetoed initializing CamelContext (tc-job-monitor) due to: Failure"
                + " creating route from template: tc-job-failures-source");
        out.println("2026-11-29 23:17:37.782 WARN AbstractCamelContext - CamelContext (tc-job-monitor) vetoed to not initialize"
                + " due to: Failure creating route from template: tc-job-failures-source");
        kept.lines().forEach(out::println);

        assertThat(written.toString(StandardCharsets.UTF_8).lines()).containsExactlyElementsOf(kept.lines().toList());
    }
}
