package dev.tcjobmonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.FailedExecution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A page's alerts as the records camel-kafka sends. camel-kafka's part is played here by hand: it
 * marks an acknowledged record with its metadata header and a refused one with an exception.
 */
class KafkaRecordsTest {

    private static DefaultCamelContext context;

    @BeforeAll
    static void startCamel() {
        context = new DefaultCamelContext();
        context.start();
    }

    @AfterAll
    static void stopCamel() {
        context.stop();
    }

    private static Alert alert(long id, long jobId) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode().put("id", id).put("jobId", jobId).put("status", "Failed");
        return new Alert(new FailedExecution(fields), Long.toString(id), Instant.ofEpochSecond(id), "{\"id\":" + id + "}",
                Set.of("kafka"), "default");
    }

    private static KafkaRecords records(Alert... alerts) {
        return new KafkaRecords(context, List.of(alerts));
    }

    private static void acknowledge(Exchange record) {
        record.getMessage().setHeader(KafkaConstants.KAFKA_RECORD_META, List.of("metadata"));
    }

    /** As when the broker cannot be reached: a refusal that may pass. */
    private static void refuse(Exchange record) {
        record.setException(new TimeoutException("Topic tc.job.failures not present in metadata after 1500 ms."));
    }

    /** As when the record is over the broker's (or the client's) size limit: a refusal for good. */
    private static void refuseForGood(Exchange record) {
        record.setException(new RecordTooLargeException("too large"));
    }

    private static List<Exchange> all(Iterable<Exchange> records) {
        List<Exchange> all = new ArrayList<>();
        records.forEach(all::add);
        return all;
    }

    private static List<Object> bodies(List<Exchange> records) {
        return records.stream().map(record -> record.getMessage().getBody()).toList();
    }

    @Test
    void eachAlertIsOneRecordWithItsDocumentItsJobIdAsKeyAndItsHeadersInThePagesOrder() {
        List<Exchange> sent = all(records(alert(3, 174), alert(2, 100)));

        assertThat(bodies(sent)).containsExactly("{\"id\":3}", "{\"id\":2}");
        assertThat(sent.get(0).getMessage().getHeaders()).containsEntry(KafkaConstants.KEY, "174")
                .containsEntry("tcExecutionId", "3").containsEntry("tcJobId", "174").containsEntry("tcStatus", "Failed")
                .containsEntry("tcMonitor", "default");
    }

    @Test
    void aRedeliverySendsOnlyTheRecordsTheBrokerHasNotAcknowledged() {
        Alert first = alert(4, 1);
        Alert second = alert(3, 1);
        Alert third = alert(2, 2);
        Alert fourth = alert(1, 2);
        KafkaRecords records = records(first, second, third, fourth);
        List<Exchange> attempt = all(records);
        acknowledge(attempt.get(0));
        acknowledge(attempt.get(2));
        // the fourth was sent, but no answer came before the attempt was given up

        assertThat(bodies(all(records))).containsExactly("{\"id\":3}", "{\"id\":1}");
        assertThat(records.accepted()).containsExactly(first, third);
    }

    @Test
    void whatWasAcknowledgedInAnEarlierAttemptStaysAccepted() {
        Alert first = alert(2, 1);
        Alert second = alert(1, 1);
        KafkaRecords records = records(first, second);
        acknowledge(all(records).get(0));

        List<Exchange> retry = all(records);
        acknowledge(retry.get(0));

        assertThat(records.accepted()).containsExactly(first, second);
        assertThat(all(records)).as("nothing is owed any more").isEmpty();
    }

    @Test
    void anAttemptStopsAfterARecordRefusedOnTheSpotAndTheRestIsOwed() {
        KafkaRecords records = records(alert(3, 1), alert(2, 1), alert(1, 1));
        Iterator<Exchange> attempt = records.iterator();
        refuse(attempt.next());

        assertThat(attempt.hasNext()).as("a broker that is down would make every further send wait").isFalse();
        assertThat(records.accepted()).isEmpty();
        assertThat(bodies(all(records))).containsExactly("{\"id\":3}", "{\"id\":2}", "{\"id\":1}");
    }

    @Test
    void aRecordRefusedForGoodOnTheSpotStopsNothingAndIsNeverSentAgain() {
        Alert tooLarge = alert(3, 1);
        KafkaRecords records = records(tooLarge, alert(2, 1), alert(1, 1));
        Iterator<Exchange> attempt = records.iterator();
        refuseForGood(attempt.next());

        assertThat(attempt.hasNext()).as("the record is refused, not the broker: the next ones are sent").isTrue();
        List<Exchange> rest = new ArrayList<>();
        attempt.forEachRemaining(rest::add);
        assertThat(bodies(rest)).containsExactly("{\"id\":2}", "{\"id\":1}");
        assertThat(records.refusedForGood()).containsOnlyKeys(tooLarge);
        assertThat(records.refusedForGood().get(tooLarge)).isInstanceOf(RecordTooLargeException.class);
        assertThat(bodies(all(records))).as("a retry sends the unanswered ones, never the one refused for good")
                .containsExactly("{\"id\":2}", "{\"id\":1}");
    }

    @Test
    void aBatchIsSettledOnceEveryRecordIsAcknowledgedOrRefusedForGood() {
        Alert first = alert(3, 1);
        Alert tooLarge = alert(2, 1);
        Alert last = alert(1, 1);
        KafkaRecords records = records(first, tooLarge, last);
        List<Exchange> attempt = all(records);
        acknowledge(attempt.get(0));
        refuseForGood(attempt.get(1));

        assertThat(records.settled()).as("the last record is still owed").isFalse();

        acknowledge(attempt.get(2));

        assertThat(records.settled()).as("a retry would send nothing").isTrue();
        assertThat(records.accepted()).containsExactly(first, last);
        assertThat(records.refusedForGood()).containsOnlyKeys(tooLarge);
    }

    @Test
    void aBatchWithARecordRefusedInAWayThatMayPassIsNotSettled() {
        KafkaRecords records = records(alert(2, 1), alert(1, 1));
        List<Exchange> attempt = all(records);
        acknowledge(attempt.get(0));
        refuse(attempt.get(1));

        assertThat(records.settled()).isFalse();
        assertThat(records.refusedForGood()).isEmpty();
    }

    @Test
    void aRecordSentButNotYetAnsweredIsNotAccepted() {
        KafkaRecords records = records(alert(1, 1));
        all(records);

        assertThat(records.accepted()).isEmpty();
    }
}
