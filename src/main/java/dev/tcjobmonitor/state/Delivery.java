package dev.tcjobmonitor.state;

import java.time.Instant;

/**
 * One execution a sink accepted, as the delivered-ids store keeps it.
 *
 * @param executionKey the execution's key (see {@code FailedExecution.deliveryKey})
 * @param eventTime    when it failed (or was seen), so the entry can be forgotten once no window
 *                     can return the execution again
 */
public record Delivery(String executionKey, Instant eventTime) {
}
