package dev.tcjobmonitor.monitor;

import java.time.Clock;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Camel health check {@code tc-job-monitor}: DOWN while any monitor is blind (its last good poll
 * is too old, or too many polls in a row failed), with each monitor's details.
 */
public class MonitorHealthCheck extends AbstractHealthCheck {

    /** The registry name of the {@link PollHistory} the monitors report to. */
    public static final String POLL_HISTORY = "tcPollHistory";

    private Clock clock = Clock.systemUTC();

    public MonitorHealthCheck() {
        super("tc", "tc-job-monitor");
    }

    /**
     * Registers itself: a bean declared in route YAML is bound after Camel's health registry
     * looked for checks in the bean registry.
     */
    @Override
    public void setCamelContext(org.apache.camel.CamelContext camelContext) {
        if (getCamelContext() == camelContext) {
            return; // registering hands the context back to us
        }
        super.setCamelContext(camelContext);
        org.apache.camel.health.HealthCheckRegistry registry = org.apache.camel.health.HealthCheckRegistry.get(camelContext);
        if (registry != null && registry.getCheck(getId()).isEmpty()) {
            registry.register(this);
        }
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.up();
        // looked up at each call: the beans of route YAML may be bound again after this one
        PollHistory pollHistory = getCamelContext().getRegistry().lookupByNameAndType(POLL_HISTORY, PollHistory.class);
        if (pollHistory == null) {
            return;
        }
        pollHistory.health(clock.instant()).forEach((monitor, verdict) -> {
            builder.detail(monitor + ".up", verdict.up());
            builder.detail(monitor + ".failedPollsInARow", verdict.failedPollsInARow());
            verdict.lastGoodPoll().ifPresent(at -> builder.detail(monitor + ".lastGoodPoll", at.toString()));
            verdict.lastError().ifPresent(error -> builder.detail(monitor + ".lastError", error));
            verdict.clockSkew().ifPresent(skew -> builder.detail(monitor + ".clockSkewSeconds", skew.toSeconds()));
            if (!verdict.up()) {
                builder.down().message("monitor '" + monitor + "' cannot see ThreatConnect: " + verdict.reason());
            }
        });
    }
}
