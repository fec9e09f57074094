package dev.tcjobmonitor.state;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One unit of work on the cluster's PostgreSQL in one transaction: committed whole, or rolled back
 * and reported as the state store reports a database failure ({@link JdbcStateStore#failure}).
 */
final class JdbcTransaction {

    /** What runs inside the transaction, on its connection. */
    interface Work {
        void run(Connection connection) throws SQLException;
    }

    private JdbcTransaction() {
    }

    static void run(DataSource dataSource, Work work) {
        try (Connection connection = dataSource.getConnection()) {
            // the pool (HikariCP) restores auto-commit when the connection goes back to it
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            } catch (SQLException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw JdbcStateStore.failure(e);
        }
    }
}
