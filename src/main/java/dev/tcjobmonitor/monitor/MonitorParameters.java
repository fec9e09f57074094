package dev.tcjobmonitor.monitor;

import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.apache.camel.CamelContext;

/**
 * Where a monitor's settings come from, as text: the parameters of its Kamelet ({@code pageSize})
 * and the host's properties that tune every monitor of a host alike ({@code tc.retry-budget}).
 * Each is read by its name where it is used ({@link MonitorSettings#parse}, {@link JobMonitor#init}),
 * so that a setting is written down in application.properties (its default), in the Kamelet's spec
 * (its documentation) and where it is used, and in no relay between them.
 *
 * @param parameter a parameter of the Kamelet by its name: what the route gave, else the
 *                  Kamelet's default (which names the host's setting, {@code {{monitor.page-size:1000}}})
 * @param host      a property of the host by its key, else the default given
 */
record MonitorParameters(UnaryOperator<String> parameter, BiFunction<String, String, String> host) {

    /**
     * The parameters of the Kamelet whose route Camel is creating. Its template beans are made
     * then, and the route's parameters are the properties component's local properties until it
     * is made: the same lookup as a {@code "{{pageSize}}"} in the Kamelet's YAML.
     */
    static MonitorParameters of(CamelContext context) {
        return new MonitorParameters(name -> context.resolvePropertyPlaceholders("{{" + name + "}}"),
                (key, fallback) -> context.resolvePropertyPlaceholders("{{" + key + ":" + fallback + "}}"));
    }

    /** For tests: the Kamelet's parameters and the host's properties as maps. */
    static MonitorParameters of(Map<String, String> parameters, Map<String, String> properties) {
        return new MonitorParameters(name -> parameters.getOrDefault(name, ""),
                (key, fallback) -> properties.getOrDefault(key, fallback));
    }

    String parameter(String name) {
        return parameter.apply(name);
    }

    String host(String key, String fallback) {
        return host.apply(key, fallback);
    }

    /** These parameters, but {@code name} has this value whatever the route gave. */
    MonitorParameters with(String name, String value) {
        return new MonitorParameters(n -> n.equals(name) ? value : parameter(n), host);
    }

    /** Never the values: some are secrets. */
    @Override
    public String toString() {
        return "MonitorParameters";
    }
}
