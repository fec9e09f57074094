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
