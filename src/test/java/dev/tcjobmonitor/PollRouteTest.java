package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/**
 * One poll of the monitor template (job-monitor.camel.yaml and the Kamelet it uses), end to end
 * against the simulator, observed with Camel's NotifyBuilder on the poll's route as a whole: it
 * waits for the poll's exchange to be done, whatever steps the poll takes inside.
 */
class PollRouteTest extends RouteTestSupport {

    /** The route of the default monitor's poll: the Kamelet route the template names tc-job-monitor-<name>-poll. */
    private static final String POLL_ROUTE = "tc-job-monitor-default-poll";

    @Override
    protected void settings(Properties settings) {
        settings.setProperty("sinks", "custom");
        settings.setProperty("monitor.page-size", "2");
    }

    @Test
    void aPollFetchesEveryPageHandsEachNewFailureToTheSinkOnceAndThenMovesTheWatermark() throws Exception {
        MockEndpoint custom = adviseSend("custom");
        context.start();
        Instant recent = Instant.now().minusSeconds(120);
        List<String> failed = new ArrayList<>();
        for (int job = 1; job <= 5; job++) {
            failed.add(String.valueOf(simulator.addFailed(job, recent.plusSeconds(job), "failure of job " + job + "\n")));
        }
        simulator.addCompleted(6, recent);
        custom.expectedMessageCount(5);
        // the poll's own exchange: the first the route's consumer creates; the route makes more
        // from it as it goes (a split's parts, the copies it hands on), which are done earlier
        AtomicReference<String> poll = new AtomicReference<>();
        NotifyBuilder pollDone = new NotifyBuilder(context).fromRoute(POLL_ROUTE)
                .filter(exchange -> exchange.getExchangeId().equals(poll.updateAndGet(first -> first == null ? exchange.getExchangeId() : first)))
                .whenDone(1).create();

        MonitorTriggers.pollNow(context);

        assertThat(pollDone.matches(60, TimeUnit.SECONDS)).as("the poll is done").isTrue();
        custom.assertIsSatisfied();
        assertThat(custom.getReceivedExchanges()).extracting(exchange -> exchange.getMessage().getHeader("tcExecutionId", String.class))
                .containsExactlyInAnyOrderElementsOf(failed);
        // the page requests (the "job recovered" check after the last page asks for completedTime)
        assertThat(simulator.requests()).filteredOn(request -> !request.target().contains("completedTime"))
                .as("three pages of two").hasSize(3);
        assertThat(ledger("custom")).containsExactlyInAnyOrderElementsOf(failed);
        assertThat(watermark()).as("every failure is where it goes: the window closes").isPresent();
    }
}
