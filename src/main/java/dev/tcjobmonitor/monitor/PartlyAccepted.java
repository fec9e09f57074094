package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import java.util.List;

/**
 * What a sink was handed when it takes a batch alert by alert (a page of Kafka records): when it
 * refuses some, these are the ones it did accept. They are recorded as delivered, not offered
 * again.
 */
public interface PartlyAccepted {

    List<Alert> accepted();
}
