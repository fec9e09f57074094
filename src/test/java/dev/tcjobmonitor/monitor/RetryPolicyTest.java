package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofMinutes(5));

    @RepeatedTest(20)
    void backsOffExponentiallyWithJitterUpToTheMaximum() {
        assertThat(delay(1, Optional.empty())).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(delay(2, Optional.empty())).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(delay(4, Optional.empty())).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(delay(10, Optional.empty())).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
        assertThat(delay(64, Optional.empty())).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
    }

    @Test
    void honoursRetryAfterUpToItsCap() {
        assertThat(delay(1, Optional.of(Duration.ofSeconds(20)))).isEqualTo(Duration.ofSeconds(20));
        assertThat(delay(1, Optional.of(Duration.ofHours(1)))).isEqualTo(Duration.ofSeconds(60));
        assertThat(delay(10, Optional.of(Duration.ZERO))).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
    }

    @Test
    void startsNoRetryPastTheBudget() {
        assertThat(policy.delayAfter(1, Optional.empty(), Duration.ofMinutes(4)))
                .hasValueSatisfying(delay -> assertThat(delay).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1)));
        assertThat(policy.delayAfter(1, Optional.empty(), Duration.ofMinutes(5))).isEmpty();
        assertThat(policy.delayAfter(1, Optional.of(Duration.ofSeconds(60)), Duration.ofMinutes(4).plusSeconds(30))).isEmpty();
    }

    private Duration delay(int attempt, Optional<Duration> retryAfter) {
        return policy.delayAfter(attempt, retryAfter, Duration.ZERO).orElseThrow();
    }
}
