package dev.tcjobmonitor.monitor;

import java.time.Duration;

/**
 * When a monitor counts as blind: its last good poll is older than {@code maxPollAge}, or
 * {@code maxFailedPolls} polls in a row failed.
 */
public record HealthRules(Duration maxPollAge, int maxFailedPolls) {
}
