package dev.tcjobmonitor;

import dev.tcjobmonitor.monitor.JobMonitor;
import dev.tcjobmonitor.monitor.PollHistory;
import dev.tcjobmonitor.sink.MailLogin;
import dev.tcjobmonitor.sink.MailSessionProperties;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * {@code --check}: starts the configuration without polling, then reaches ThreatConnect with each
 * monitor's credentials and each configured sink, printing one line per check.
 */
final class ConfigurationCheck {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final CamelContext context;
    private final PrintStream out;
    private int failures;

    private ConfigurationCheck(CamelContext context, PrintStream out) {
        this.context = context;
        this.out = out;
    }

    static int run(Properties overrides, boolean demo, PrintStream out, PrintStream err) {
        overrides.setProperty("monitor.cron", "0 0 0 1 1 ? 2099"); // no poll while checking
        Main main = Application.createMain(overrides, demo);
        try {
            main.start();
        } catch (Exception e) {
            java.util.Optional<String> databaseDown = Application.clusterDatabaseUnreachable(main.getCamelContext(), e);
            if (databaseDown.isPresent()) {
                // a check that failed, not a bad configuration: it passes once the database answers
                out.println("FAIL database: " + databaseDown.get());
                return Application.EXIT_POLL_FAILED;
            }
            out.println("FAIL configuration: " + Application.rootMessage(e));
            return Application.EXIT_USAGE;
        }
        try {
            return new ConfigurationCheck(main.getCamelContext(), out).checkAll();
        } finally {
            main.stop();
        }
    }

    private int checkAll() {
        Map<String, JobMonitor> monitors = context.getRegistry()
                .lookupByNameAndType("tcPollHistory", PollHistory.class).monitors();
        check("configuration", () -> monitors.size() + " monitor(s): " + String.join(", ", monitors.keySet()));
        TreeSet<String> sinks = new TreeSet<>();
        monitors.forEach((name, monitor) -> {
            check("threatconnect " + name, monitor::probe);
            sinks.addAll(monitor.settings().sinks());
        });
        for (String sink : sinks) {
            switch (sink) {
                case "file" -> check("sink file", this::checkFile);
                case "kafka" -> check("sink kafka", this::checkKafka);
                case "email" -> check("sink email", this::checkEmail);
                default -> out.println("SKIP sink " + sink + ": " + endpointOf(sink) + " is any Camel endpoint; not checked");
            }
        }
        return failures == 0 ? Application.EXIT_OK : Application.EXIT_POLL_FAILED;
    }

    /**
     * A sink of its own route: the scheme and host of its {@code sink.<name>.uri} (a webhook's path
     * or query may hold its secret; user info is dropped too), or its route.
     */
    private String endpointOf(String sink) {
        String uri = property("sink." + sink + ".uri");
        if (uri.isBlank()) {
            return "the route of direct:tc-sink-" + sink;
        }
        return dev.tcjobmonitor.monitor.ErrorText.origin(uri);
    }

    private interface Check {
        String run() throws Exception;
    }

    private void check(String what, Check check) {
        try {
            out.println("OK   " + what + ": " + check.run());
        } catch (Exception e) {
            failures++;
            out.println("FAIL " + what + ": " + Application.rootMessage(e));
        }
    }

    private String checkFile() throws Exception {
        Path dir = Path.of(property("sink.file.directory"));
        Files.createDirectories(dir);
        Path probe = Files.createTempFile(dir, ".check-", ".tmp");
        Files.delete(probe);
        return dir.toAbsolutePath() + " is writable";
    }

    private String checkKafka() throws Exception {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, property("sink.kafka.brokers"));
        config.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, property("sink.kafka.security-protocol"));
        putIfSet(config, "sasl.mechanism", "sink.kafka.sasl-mechanism");
        putIfSet(config, "sasl.jaas.config", "sink.kafka.sasl-jaas-config");
        putIfSet(config, "ssl.truststore.location", "sink.kafka.ssl-truststore-location");
        putIfSet(config, "ssl.truststore.password", "sink.kafka.ssl-truststore-password");
        putIfSet(config, "ssl.keystore.location", "sink.kafka.ssl-keystore-location");
        putIfSet(config, "ssl.keystore.password", "sink.kafka.ssl-keystore-password");
        putIfSet(config, "ssl.key.password", "sink.kafka.ssl-key-password");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MILLIS);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MILLIS);
        try (Admin admin = Admin.create(config)) {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MILLIS)).nodes()
                    .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).size();
            return property("sink.kafka.brokers") + " answered: " + nodes + " broker(s); topic " + property("sink.kafka.topic");
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("no Kafka broker answered at " + property("sink.kafka.brokers") + " within "
                    + TIMEOUT_MILLIS + " ms (" + Application.rootMessage(e) + ")");
        }
    }

    private String checkEmail() throws Exception {
        MailSessionProperties session = new MailSessionProperties();
        session.setStartTls(Boolean.parseBoolean(property("sink.email.starttls")));
        session.setTimeoutMillis(TIMEOUT_MILLIS);
        MailLogin login = new MailLogin();
        login.setUsername(property("sink.email.username"));
        login.setPassword(property("sink.email.password"));
        PasswordAuthentication credentials = login.getPasswordAuthentication();
        String protocol = property("sink.email.protocol");
        String host = property("sink.email.host");
        int port = Integer.parseInt(property("sink.email.port"));
        try (Transport transport = Session.getInstance(session).getTransport(protocol)) {
            transport.connect(host, port, credentials.getUserName(), credentials.getPassword());
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException("cannot connect to " + protocol + "://" + host + ":" + port + " ("
                    + Application.rootMessage(e) + ")");
        }
        return protocol + "://" + host + ":" + port + " accepted the connection"
                + (credentials.getUserName() == null ? "" : " and the login");
    }

    private void putIfSet(Properties config, String kafkaKey, String property) {
        String value = property(property);
        if (!value.isBlank()) {
            config.put(kafkaKey, value);
        }
    }

    private String property(String key) {
        return context.getPropertiesComponent().resolveProperty(key).orElse("");
    }
}
