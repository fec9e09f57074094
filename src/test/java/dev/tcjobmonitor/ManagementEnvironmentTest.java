package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The management server's settings come from the environment like every other setting. */
class ManagementEnvironmentTest {

    @Test
    void camelManagementVariablesBecomeCamelManagementSettings() {
        assertThat(Application.managementSettingsFrom(Map.of(
                "CAMEL_MANAGEMENT_PORT", "9900",
                "CAMEL_MANAGEMENT_HOST", "0.0.0.0",
                "CAMEL_MANAGEMENT_HEALTH_CHECK_ENABLED", "false",
                "CAMEL_MANAGEMENT_", "ignored",
                "CAMEL_MAIN_NAME", "camel-main reads these itself",
                "TC_BASE_URL", "https://tc.example/api")))
                .containsOnly(Map.entry("camel.management.port", "9900"),
                        Map.entry("camel.management.host", "0.0.0.0"),
                        Map.entry("camel.management.health-check-enabled", "false"));
    }
}
