package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import java.util.List;
import java.util.Map;

/**
 * What a sink was handed when it takes a batch alert by alert (a page of Kafka records): when it
 * refuses some, these are the ones it did accept, recorded as delivered and not offered again,
 * and those it refused for good, each with its own reason, which go to its dead letter at once.
 */
public interface PartlyAccepted {

    List<Alert> accepted();

    /** The alerts refused for a reason of their own that no retry changes ({@link SinkErrors}), each with it. */
    Map<Alert, Throwable> refusedForGood();

    /** Whether a retry would send nothing: every alert was accepted or refused for good. */
    boolean settled();
}
