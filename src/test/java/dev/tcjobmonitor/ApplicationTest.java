package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.CamelContextHelper;
import org.junit.jupiter.api.Test;

class ApplicationTest {

    /**
     * What "cannot start:" and --check's "FAIL configuration:" print: a sink.custom.uri whose
     * scheme has a typo is named by Camel as written, a webhook's secret path included.
     */
    @Test
    void aStartUpFailureNamesAWebhookByItsSchemeHostAndPortOnly() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            Throwable unknown = catchThrowable(() -> CamelContextHelper.getMandatoryEndpoint(context,
                    "htps://127.0.0.1:9/hook/services/T0/B0/PathSecret1?httpMethod=POST"));

            assertThat(Application.rootMessage(new IllegalStateException("start-up failed", unknown)))
                    .isEqualTo("No endpoint could be found for: htps://127.0.0.1:9, please check your classpath contains the needed"
                            + " Camel component jar.");
        }
    }
}
