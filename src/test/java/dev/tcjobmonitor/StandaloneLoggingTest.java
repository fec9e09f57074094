package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

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
}
