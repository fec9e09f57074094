package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tcjobmonitor.support.FreePorts;
import java.sql.DriverManager;
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

    /** What a line may say of the database: host and port, never the database, user, password or parameters. */
    @Test
    void theAddressOfADatabaseIsItsHostAndPortOnly() {
        assertThat(ClusterDatabase.address("jdbc:postgresql://db.example.org:6432/tc_monitor?user=tc&password=s3cret"))
                .isEqualTo("db.example.org:6432");
        assertThat(ClusterDatabase.address("jdbc:postgresql://db.example.org/tc_monitor")).isEqualTo("db.example.org:5432");
        assertThat(ClusterDatabase.address("jdbc:postgresql://a.example.org:5432,b.example.org/tc?targetServerType=primary"))
                .isEqualTo("a.example.org:5432,b.example.org:5432");
        assertThat(ClusterDatabase.address("jdbc:postgresql://[::1]:5433/tc")).isEqualTo("[::1]:5433");
        assertThat(ClusterDatabase.address("jdbc:postgresql:tc_monitor")).isEqualTo("localhost:5432");
    }

    @Test
    void aDatabaseNobodyListensForIsUnreachableForNow() {
        // the real driver's failure: nothing listens on the port
        Throwable refused = catchThrowable(() -> DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + FreePorts.freePort() + "/tc?connectTimeout=5", "tc", "secret"));

        assertThat(refused).isInstanceOf(java.sql.SQLException.class);
        assertThat(ClusterDatabase.unreachable(new IllegalStateException("cannot start", refused))).isTrue();
    }

    /** A port the node cannot bind is no database outage, though it is a network error too. */
    @Test
    void aNetworkErrorThatNoDatabaseReportedIsNotADatabaseOutage() {
        assertThat(ClusterDatabase.unreachable(new IllegalStateException("cannot start the management server",
                new java.net.BindException("Address already in use")))).isFalse();
    }
}
