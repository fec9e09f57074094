package dev.tcjobmonitor.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A real PostgreSQL (binaries from Maven), on a port and data folder chosen once, so a test can
 * stop it and start it again with its data, as a restart of the shared database.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    // not port 0: EmbeddedPostgres starts PostgreSQL on a port it is given (without one it finds a
    // free port the way FreePorts does), and a restart must come back on the port the JDBC URL names
    private final int port = FreePorts.freePort();
    private final Path dataDir;
    private EmbeddedPostgres postgres;

    public EmbeddedPostgresServer(Path dataDir) {
        this.dataDir = dataDir;
    }

    public EmbeddedPostgresServer start() throws IOException {
        postgres = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDir).setCleanDataDirectory(false).start();
        return this;
    }

    public void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /**
     * A login role with its own database, and a rule ahead of the server's trust-everyone ones that
     * makes this role prove its password (SCRAM): a wrong password is refused.
     *
     * @return the JDBC URL of the role's database
     */
    public String passwordUser(String role, String password) throws IOException, java.sql.SQLException {
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(jdbcUrl(), user(), "");
             java.sql.Statement sql = connection.createStatement()) {
            sql.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
            sql.execute("CREATE DATABASE " + role + " OWNER " + role);
            java.nio.file.Path hba = dataDir.resolve("pg_hba.conf");
            java.nio.file.Files.writeString(hba, "host all " + role + " all scram-sha-256\n" + java.nio.file.Files.readString(hba));
            sql.execute("SELECT pg_reload_conf()");
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + role;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    @Override
    public void close() throws IOException {
        stop();
    }

}
