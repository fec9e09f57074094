package dev.tcjobmonitor.monitor;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * The sinks a monitor can deliver to are the routes present that consume
 * {@code direct:tc-sink-<name>}: the shipped ones and whatever an operator adds in
 * {@code routes/*.camel.yaml}. No list of sink kinds is kept anywhere else.
 */
public final class SinkRoutes {

    private static final String ROUTE_PREFIX = MonitorConstants.SINK_ENDPOINT_PREFIX.substring("direct:".length());

    private SinkRoutes() {
    }

    /** The names of the sink routes in {@code context}, sorted. */
    public static SortedSet<String> known(CamelContext context) {
        SortedSet<String> sinks = new TreeSet<>();
        for (Route route : context.getRoutes()) {
            String uri = route.getEndpoint().getEndpointBaseUri();
            String path = uri.startsWith("direct://") ? uri.substring("direct://".length())
                    : uri.startsWith("direct:") ? uri.substring("direct:".length()) : null;
            if (path != null && path.startsWith(ROUTE_PREFIX) && path.length() > ROUTE_PREFIX.length()) {
                sinks.add(path.substring(ROUTE_PREFIX.length()));
            }
        }
        return sinks;
    }

    /**
     * Fails with one line naming the first of {@code sinks} that has no route, and the sinks there
     * are; or, for a shipped sink whose optional dependency is missing, the artifact to add.
     */
    public static void check(String monitor, List<String> sinks, CamelContext context) {
        SortedSet<String> known = known(context);
        for (String sink : sinks) {
            if (!known.contains(sink)) {
                // a shipped sink whose route sinks.camel.yaml left out (its precondition) for want of its component
                OptionalDependency.missingForSink(sink).ifPresent(missing -> {
                    throw new SettingException(monitor, "sinks", "sink '" + sink + "' needs " + missing.artifacts()
                            + " on the class path");
                });
                throw new SettingException(monitor, "sinks", "'" + sink + "' is not a sink (no route consumes "
                        + MonitorConstants.SINK_ENDPOINT_PREFIX + sink + "); known sinks are " + known);
            }
        }
    }

    /**
     * Checks {@code sinks} once every route of the context is there: when its routes are warmed up
     * and before any consumer starts (so a misnamed sink stops start-up before a poll can run), or
     * now if the context has started already.
     */
    static void checkAtStart(String monitor, List<String> sinks, CamelContext context) {
        try {
            context.addStartupListener((started, alreadyStarted) -> check(monitor, sinks, started));
        } catch (Exception e) {
            throw new IllegalStateException("cannot check the sinks of monitor '" + monitor + "'", e);
        }
    }
}
