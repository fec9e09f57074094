package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClusterDatabaseTest {

    @Test
    void timeoutsAreAddedInWholeSecondsRoundedUp() {
        assertThat(ClusterDatabase.withTimeouts("jdbc:postgresql://db:5432/tc", 10_000, 1_500))
                .isEqualTo("jdbc:postgresql://db:5432/tc?connectTimeout=10&loginTimeout=12&socketTimeout=2");
    }

    @Test
    void aTimeoutTheOperatorsUrlSetsAlreadyIsKept() {
        assertThat(ClusterDatabase.withTimeouts("jdbc:postgresql://db/tc?ssl=true&socketTimeout=90", 10_000, 30_000))
                .isEqualTo("jdbc:postgresql://db/tc?ssl=true&socketTimeout=90&connectTimeout=10&loginTimeout=40");
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefusedNamingItsSetting() {
        assertThatThrownBy(() -> ClusterDatabase.withTimeouts("jdbc:postgresql://db/tc", 10_000, 0))
                .hasMessageContaining("monitor.cluster.socket-timeout-ms");
    }
}
