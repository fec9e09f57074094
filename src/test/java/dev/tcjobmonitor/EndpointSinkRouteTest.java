package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.monitor.Poll;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/**
 * The sink template tc-sink-endpoint (sinks.camel.yaml) under the one error configuration tc-sink
 * (errors.camel.yaml), as shipped: each sink's send ({@code tc-send-<sink>}) is advised to a mock
 * endpoint that accepts or refuses, and the failures come from real polls of the simulator. What
 * the template promises: a failure's key is recorded once its sink accepted it, never after a
 * refusal; a refusal is retried as often as that sink's own sink.<name>.max-redeliveries says
 * (5 when it says nothing), then stays pending for that sink; what a sink has is not sent again.
 */
class EndpointSinkRouteTest extends RouteTestSupport {

    /** While set, every advised sink refuses what it is sent. */
    private final AtomicBoolean refusing = new AtomicBoolean();

    @Override
    protected void settings(Properties settings) {
        routes("classpath:route-tests/two-more-endpoint-sinks.camel.yaml");
        // second and third are sinks of the same template in a routes/ file of the test's; where a
        // test does not advise them, they log what they get
        settings.setProperty("sinks", "custom,second,third");
        // only the waits are short; how often each sink retries is what the tests look at
        for (String sink : List.of("custom", "second", "third")) {
            settings.setProperty("sink." + sink + ".redelivery-delay", "5");
            settings.setProperty("sink." + sink + ".max-redelivery-delay", "20");
        }
        settings.setProperty("sink.custom.max-redeliveries", "2");
        settings.setProperty("sink.second.max-redeliveries", "4");
    }

    /** The sink's send, replaced by a mock endpoint that accepts, or refuses while {@link #refusing}. */
    private MockEndpoint advisedSend(String sink) throws Exception {
        MockEndpoint mock = adviseSend(sink);
        mock.whenAnyExchangeReceived(exchange -> {
            if (refusing.get()) {
                throw new IOException("refused by the test's endpoint");
            }
        });
        return mock;
    }

    private static List<String> executionIds(MockEndpoint mock) {
        return mock.getReceivedExchanges().stream()
                .map(exchange -> exchange.getMessage().getHeader("tcExecutionId", String.class)).toList();
    }

    @Test
    void anAcceptedFailureIsSentOnceWithItsHeadersAndItsKeyIsRecordedOnce() throws Exception {
        MockEndpoint custom = advisedSend("custom");
        context.start();
        Instant recent = Instant.now().minusSeconds(60);
        long first = simulator.addFailed(11, recent, "disk full\n");
        long second = simulator.addFailed(12, recent.plusSeconds(1), "timed out\n");

        Poll poll = poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(executionIds(custom)).containsExactlyInAnyOrder(String.valueOf(first), String.valueOf(second));
        Exchange sent = custom.getReceivedExchanges().stream()
                .filter(exchange -> String.valueOf(first).equals(exchange.getMessage().getHeader("tcExecutionId"))).findFirst().orElseThrow();
        assertThat(sent.getMessage().getHeaders()).containsEntry("tcJobId", "11").containsEntry("tcStatus", "Failed")
                .containsEntry("tcMonitor", "default");
        assertThat(sent.getMessage().getBody(String.class)).contains("\"id\":" + first).contains("disk full");
        assertThat(ledger("custom")).containsExactlyInAnyOrder(String.valueOf(first), String.valueOf(second));
        assertThat(poll.deliveredBySink()).containsEntry("custom", 2);

        Poll next = poll();

        assertThat(next.failures()).as("the overlap lists both again").isEqualTo(2);
        assertThat(custom.getReceivedCounter()).as("what the sink has is not sent again").isEqualTo(2);
        assertThat(ledger("custom")).hasSize(2);
    }

    @Test
    void aFailureListedTwiceInOneAnswerIsSentOnceAndRecordedOnce() throws Exception {
        MockEndpoint custom = advisedSend("custom");
        context.start();
        long id = simulator.addFailed(21, Instant.now().minusSeconds(60), "listed twice\n");
        // ThreatConnect lists the same execution twice on one page: it is one failure, sent and
        // recorded once (the poll drops the second copy before any sink sees the page)
        ObjectNode again = simulator.executions().get(0).deepCopy();
        simulator.addExecution(again);

        Poll poll = poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(poll.executions()).as("the page had the execution twice").isEqualTo(2);
        assertThat(poll.failures()).as("one failure").isEqualTo(1);
        assertThat(executionIds(custom)).containsExactly(String.valueOf(id));
        assertThat(ledger("custom")).containsExactly(String.valueOf(id));
    }

    @Test
    void aRefusedFailureIsRetriedAsItsSinkSaysThenStaysPendingUnrecordedUntilTheSinkAccepts() throws Exception {
        MockEndpoint custom = advisedSend("custom");
        context.start();
        refusing.set(true);
        long id = simulator.addFailed(31, Instant.now().minusSeconds(60), "refused\n");

        Poll refused = poll();

        assertThat(custom.getReceivedCounter()).as("the first attempt and sink.custom.max-redeliveries=2").isEqualTo(3);
        assertThat(refused.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("sink 'custom' refused 1 alert(s)").contains("refused by the test's endpoint"));
        assertThat(refused.undeliveredBySink()).containsEntry("custom", 1);
        assertThat(refused.deliveredBySink()).doesNotContainKey("custom");
        assertThat(ledger("custom")).as("a refused key is not recorded").isEmpty();
        assertThat(watermark()).as("the window stays open for the sink").isEmpty();

        refusing.set(false);
        custom.reset();
        Poll accepted = poll();

        assertThat(accepted.failure()).isEmpty();
        assertThat(executionIds(custom)).as("offered again, accepted once").containsExactly(String.valueOf(id));
        assertThat(ledger("custom")).containsExactly(String.valueOf(id));
        assertThat(watermark()).contains(accepted.windowEnd().toString());
    }

    @Test
    void eachSinkIsRetriedAsOftenAsItsOwnMaxRedeliveriesSaysAndFiveTimesWhenItSaysNothing() throws Exception {
        // custom: sink.custom.max-redeliveries=2 (settings above); second: 4; third: not set
        MockEndpoint custom = advisedSend("custom");
        MockEndpoint second = advisedSend("second");
        MockEndpoint third = advisedSend("third");
        context.start();
        refusing.set(true);
        simulator.addFailed(41, Instant.now().minusSeconds(60), "refused everywhere\n");

        Poll poll = poll();

        assertThat(poll.undeliveredBySink()).containsOnlyKeys("custom", "second", "third");
        assertThat(custom.getReceivedCounter()).as("custom: 1 + 2").isEqualTo(3);
        assertThat(second.getReceivedCounter()).as("second: 1 + 4").isEqualTo(5);
        assertThat(third.getReceivedCounter()).as("third: 1 + the default 5").isEqualTo(6);
    }
}
