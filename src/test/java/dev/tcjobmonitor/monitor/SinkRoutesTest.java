package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The sinks a monitor may name are the direct:tc-sink-* routes present, nothing else. */
class SinkRoutesTest {

    private static DefaultCamelContext contextWithRoutes(String... uris) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String uri : uris) {
                    from(uri).log("${body}");
                }
            }
        });
        context.start();
        return context;
    }

    @Test
    void theKnownSinksAreTheSinkRoutesPresent() throws Exception {
        try (DefaultCamelContext context = contextWithRoutes("direct:tc-sink-file", "direct:tc-sink-slack",
                "direct:tc-deliver", "direct:other")) {
            assertThat(SinkRoutes.known(context)).containsExactly("file", "slack");
        }
    }

    @Test
    void aSinkWithARouteIsAccepted() throws Exception {
        try (DefaultCamelContext context = contextWithRoutes("direct:tc-sink-file", "direct:tc-sink-slack")) {
            SinkRoutes.check("default", List.of("slack", "file"), context);
        }
    }

    @Test
    void aSinkWithoutARouteIsRefusedNamingItAndTheSinksThatExist() throws Exception {
        try (DefaultCamelContext context = contextWithRoutes("direct:tc-sink-file", "direct:tc-sink-kafka")) {
            for (String misnamed : List.of("kafka2", "FILE", "pager")) {
                assertThatThrownBy(() -> SinkRoutes.check("default", List.of("file", misnamed), context))
                        .isInstanceOf(SettingException.class)
                        .hasMessageContaining("sinks")
                        .hasMessageContaining("'" + misnamed + "'")
                        .hasMessageContaining("[file, kafka]")
                        .hasMessageNotContaining("\n");
            }
        }
    }
}
