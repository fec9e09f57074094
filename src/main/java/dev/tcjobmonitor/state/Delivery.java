package dev.tcjobmonitor.state;

import java.time.Instant;

/**
 * One execution a sink accepted, as the delivered-ids store keeps it.
 *
 * @param executionKey the execution's key (see {@code FailedExecution.deliveryKey})
 * @param eventTime    when it failed (when it was detected, if ThreatConnect gave no time): the
 *                     entry is kept {@code monitor.delivered-retention} from then
 */
public record Delivery(String executionKey, Instant eventTime) {
}
