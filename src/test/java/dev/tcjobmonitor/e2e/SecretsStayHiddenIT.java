package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.support.EmbeddedKafka;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import dev.tcjobmonitor.support.FreePorts;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret reaches anything the packaged jar writes or serves, with every secret configured
 * <em>and used</em>, every logger at DEBUG, and the error paths taken: ThreatConnect over HTTPS
 * with a private CA's truststore, two monitors (HMAC secret key and, passed on to the Kamelet by the
 * template, its own truststore password; API token), cluster mode on a
 * PostgreSQL role that must prove its password, and five sinks: Kafka behind a SASL/PLAIN login,
 * SMTP with a login, a webhook (custom) with a Basic login and a Slack-style secret path, README's
 * Slack-style plug-in sink (its secret in the path of sink.slack.webhook-url), and the file. Polls
 * first fail with HTTP 401 (the monitors go blind and send notices), the webhooks refuse (an old
 * alert goes to their dead letters; a new one fails the poll, and the notice that the monitor is
 * blind carries that error to the other sinks), then everything recovers. Searched: stdout, stderr,
 * every file the process wrote (alert
 * files, dead letters, state), the health and metrics pages, the Kafka records, the mails and the
 * webhook's requests; for each secret, its raw, URL-encoded and Base64 forms, and the
 * credentials built from them (HTTP Basic, SMTP's AUTH PLAIN, the HMAC signature of every request).
 */
class SecretsStayHiddenIT {

    // distinctive values: finding one anywhere can only be a leak
    private static final String ACCESS_ID = "secrets-it-user";
    private static final String TC_SECRET_KEY = "TcSecretKey-Zq81/+=";
    private static final String TC_API_TOKEN = "TcApiToken-Wm47";
    private static final String TRUSTSTORE_PASSWORD = "TrustStorePw-Ks29";
    private static final String KAFKA_USER = "tc-monitor";
    private static final String KAFKA_PASSWORD = "KafkaSaslPw-Hv63";
    private static final String KAFKA_SSL_TRUSTSTORE_PASSWORD = "KafkaTrustPw-Bn52";
    private static final String KAFKA_SSL_KEYSTORE_PASSWORD = "KafkaKeystorePw-Cd18";
    private static final String KAFKA_SSL_KEY_PASSWORD = "KafkaKeyPw-Ef77";
    private static final String SMTP_USER = "tc-monitor";
    private static final String SMTP_PASSWORD = "SmtpPw-Jr45";
    private static final String WEBHOOK_USER = "tc-monitor";
    private static final String WEBHOOK_PASSWORD = "WebhookPw-Lt90";
    private static final String DB_PASSWORD = "ClusterDbPw-Np36";
    // a chat webhook's URL is its credential: Slack's and Teams' secret is the path
    private static final String CUSTOM_HOOK_SECRET = "CustomHookPathSecret-Gw71";
    private static final String SLACK_HOOK_SECRET = "SlackHookPathSecret-Rt38";
    private static final String CUSTOM_HOOK_PATH = "/services/T0CUSTOM/B0CUSTOM/" + CUSTOM_HOOK_SECRET;
    private static final String SLACK_HOOK_PATH = "/services/T0SLACK/B0SLACK/" + SLACK_HOOK_SECRET;

    private static final Map<String, String> SECRETS = Map.ofEntries(
            Map.entry("tc.secret-key", TC_SECRET_KEY),
            Map.entry("tc.api-token", TC_API_TOKEN),
            Map.entry("tc.tls.truststore-password", TRUSTSTORE_PASSWORD),
            Map.entry("Kafka SASL password", KAFKA_PASSWORD),
            Map.entry("sink.kafka.ssl-truststore-password", KAFKA_SSL_TRUSTSTORE_PASSWORD),
            Map.entry("sink.kafka.ssl-keystore-password", KAFKA_SSL_KEYSTORE_PASSWORD),
            Map.entry("sink.kafka.ssl-key-password", KAFKA_SSL_KEY_PASSWORD),
            Map.entry("sink.email.password", SMTP_PASSWORD),
            Map.entry("webhook password (sink.custom.uri)", WEBHOOK_PASSWORD),
            Map.entry("webhook path secret (sink.custom.uri)", CUSTOM_HOOK_SECRET),
            Map.entry("Slack webhook path secret (sink.slack.webhook-url)", SLACK_HOOK_SECRET),
            Map.entry("monitor.cluster.password", DB_PASSWORD));

    /** Every logger at DEBUG, including those the shipped logging settings quieten. */
    private static final List<String> DEBUG_EVERYWHERE = List.of(
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=debug",
            "-Dorg.slf4j.simpleLogger.log.kafka=debug",
            "-Dorg.slf4j.simpleLogger.log.org.quartz=debug");

    /** Two monitors: one signs with HMAC, one sends the API token. */
    private static final String MONITORS = """
            - templatedRoute:
                routeTemplateRef: tc-job-monitor
                routeId: tc-job-monitor-default
                parameters:
                  - name: name
                    value: default
                  - name: accessId
                    value: "{{tc-hmac.access-id}}"
                  - name: secretKey
                    value: "{{tc-hmac.secret-key}}"
                  # a Kamelet parameter the template passes on: the password rides in the Kamelet's URI
                  - name: truststore
                    value: "{{tc-hmac.truststore}}"
                  - name: truststorePassword
                    value: "{{tc-hmac.truststore-password}}"
            - templatedRoute:
                routeTemplateRef: tc-job-monitor
                routeId: tc-job-monitor-token
                parameters:
                  - name: name
                    value: token
                  - name: apiToken
                    value: "{{tc-token.api-token}}"
            """;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path shared;
    private static ServerCertificate certificate;
    private static EmbeddedPostgresServer postgres;
    private static EmbeddedKafka kafka;

    @TempDir
    Path workDir;
    private ThreatConnectSimulator tc;
    private GreenMail smtp;
    private WebhookReceiver webhook;
    private WebhookReceiver slack;
    private Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startServers() throws Exception {
        certificate = ServerCertificate.create(Files.createDirectories(shared.resolve("keys")), TRUSTSTORE_PASSWORD);
        postgres = new EmbeddedPostgresServer(shared.resolve("pg")).start();
        kafka = new EmbeddedKafka(Files.createDirectories(shared.resolve("kafka"))).withSaslPlainUser(KAFKA_USER, KAFKA_PASSWORD).start();
    }

    @AfterAll
    static void stopServers() throws IOException {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stop(TestInfo test) throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        // the process's output, kept for whoever has to find a leak the search reports
        Path kept = Files.createDirectories(Path.of("target", "secrets-it"));
        for (String output : List.of("stdout.txt", "stderr.txt")) {
            if (Files.exists(workDir.resolve(output))) {
                Files.copy(workDir.resolve(output), kept.resolve(test.getTestMethod().orElseThrow().getName() + "-" + output),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (tc != null) {
            tc.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
        if (webhook != null) {
            webhook.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    void noSecretReachesAnyOutputOfADaemonLoggingAtDebugWithEverySinkAndTheClusterDatabase() throws Exception {
        tc = ThreatConnectSimulator.startHttps(certificate.serverTls).withHmacUser(ACCESS_ID, "not-the-secret-key");
        smtpUp(SMTP_PASSWORD);
        webhook = WebhookReceiver.down().comeUp();
        slack = WebhookReceiver.down().comeUp();
        webhook.refuse();
        slack.refuse();
        int managementPort = FreePorts.freePort();
        String topic = "tc.job.failures.daemon";
        Map<String, String> environment = environment(TC_SECRET_KEY, TC_API_TOKEN, KAFKA_PASSWORD, SMTP_PASSWORD,
                database("tc_daemon"), DB_PASSWORD, topic);
        environment.put("CAMEL_MANAGEMENT_PORT", String.valueOf(managementPort));
        environment.put("MONITOR_CRON", "0/2 * * * * ?");
        environment.put("MONITOR_HEALTH_MAX_FAILED_POLLS", "1");
        environment.put("MONITOR_DEAD_LETTER_AFTER", "PT1M");
        environment.put("MONITOR_CLUSTER_CHECKIN_INTERVAL_MS", "1000");
        // the health pages with their details (?data=true): each monitor's lastError among them
        Map<String, String> served = new LinkedHashMap<>();

        process = start(environment);

        // 1. ThreatConnect refuses both monitors (HTTP 401): they go blind and tell every sink
        await().atMost(START_TIMEOUT).untilAsserted(() -> assertThat(alertLines())
                .anySatisfy(line -> assertThat(line).contains("MonitorBlind").contains("\"instance\":\"default\""))
                .anySatisfy(line -> assertThat(line).contains("MonitorBlind").contains("\"instance\":\"token\"")));
        served.put("health while blind", await().atMost(DELIVERY_TIMEOUT).until(() -> get(managementPort, "/observe/health?data=true"),
                body -> body.contains("DOWN")));

        // 2. the right credentials: a failure of five minutes ago reaches file, Kafka and email; both
        //    webhooks refuse it with HTTP 400, a refusal for good: their dead letters get it at once,
        //    with the error (naming the webhook)
        webhook.refuse(400);
        slack.refuse(400);
        tc.withHmacUser(ACCESS_ID, TC_SECRET_KEY).withApiToken(TC_API_TOKEN);
        long old = tc.addFailed(100, Instant.now().minusSeconds(300), "old failure\n");
        await().atMost(DELIVERY_TIMEOUT).untilAsserted(() -> {
            assertThat(alertLines()).filteredOn(line -> line.contains("\"id\":" + old)).hasSize(2);
            for (String monitor : List.of("default", "token")) {
                for (String sink : List.of("custom", "slack")) {
                    assertThat(workDir.resolve("data/state/" + monitor + "/dead-letter-" + sink + ".jsonl")).content()
                            .contains("\"id\":" + old).contains("400");
                }
            }
            assertThat(smtp.getReceivedMessages()).anySatisfy(mail -> assertThat(GreenMailUtil.getWholeMessage(mail)).contains("old failure"));
        });
        assertThat(kafka.consume(topic, 1, DELIVERY_TIMEOUT)).as("the SASL login worked")
                .anySatisfy(record -> assertThat(record.value()).contains("\"id\":" + old));
        served.put("health when seeing", await().atMost(DELIVERY_TIMEOUT).until(() -> get(managementPort, "/observe/health?data=true"),
                body -> !body.contains("DOWN")));
        served.put("metrics", get(managementPort, "/observe/metrics"));

        // 3. the webhooks refuse a new failure for now (HTTP 503): the poll fails naming the sink's
        //    error, the monitors go blind again, and the notice carries that error to the other sinks
        webhook.refuse(503);
        slack.refuse(503);
        long refused = tc.addFailed(101, Instant.now().minusSeconds(10), "refused failure\n");
        await().atMost(DELIVERY_TIMEOUT).untilAsserted(() -> assertThat(alertLines())
                .anySatisfy(line -> assertThat(line).contains("MonitorBlind").contains("\"instance\":\"default\"")
                        .contains("refused").contains("503")));
        String refusing = await().atMost(DELIVERY_TIMEOUT).until(() -> get(managementPort, "/observe/health?data=true"), body -> body.contains("DOWN"));
        assertThat(refusing).as("the health check's last error").contains("refused").contains("503");
        served.put("health while a webhook refuses", refusing);

        // 4. the webhooks accept: the new failure reaches them, sent to their secret paths, the
        //    custom one with its login
        webhook.accept();
        slack.accept();
        await().atMost(DELIVERY_TIMEOUT).until(() -> webhook.received().stream().anyMatch(r -> r.body().contains("\"id\":" + refused))
                && slack.received().stream().anyMatch(r -> r.body().contains("execution " + refused)));
        assertThat(webhook.received()).allSatisfy(request -> {
            assertThat(request.headers().get("Authorization")).as("the login was used")
                    .containsExactly("Basic " + base64(WEBHOOK_USER + ":" + WEBHOOK_PASSWORD));
            assertThat(request.path()).isEqualTo("/hook" + CUSTOM_HOOK_PATH);
        });
        assertThat(slack.received()).allSatisfy(request -> assertThat(request.path()).isEqualTo("/hook" + SLACK_HOOK_PATH));

        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the daemon stopped on SIGTERM").isTrue();

        Map<String, String> outputs = new LinkedHashMap<>(processOutputs());
        outputs.putAll(served);
        outputs.putAll(sinkOutputs(topic));
        String stdout = outputs.get("stdout");
        assertThat(stdout).as("DEBUG logging is on").contains(" DEBUG ");
        assertThat(stdout).as("the refused polls were logged").contains("Poll of 'default' failed").contains("Poll of 'token' failed")
                .contains("HTTP 401");
        assertThat(stdout).as("the refusing webhooks were logged").contains("went to its dead letter");
        // errors name a webhook by its scheme, host and port: which one, without its secret, in
        // the error text itself (the output's mask, xxxxxx, is only the net below DEBUG's lines)
        assertThat(String.join("\n", outputs.values())).as("errors name the webhooks")
                .contains(webhook.origin()).contains(slack.origin());
        assertThat(stdout.lines().filter(line -> !line.contains(" DEBUG "))
                .filter(line -> line.contains(webhook.origin()) || line.contains(slack.origin())))
                .as("the warnings about the refusing webhooks").isNotEmpty()
                .allSatisfy(line -> assertThat(line).doesNotContain("xxxxxx"));
        assertThat(hmacSignatures()).as("requests signed with the secret key").isNotEmpty();
        assertNoSecretIn(outputs, secretsAndCredentials(SECRETS));
    }

    @Test
    void checkNamesEveryRefusedLoginWithoutTheSecretsItTried() throws Exception {
        tc = ThreatConnectSimulator.startHttps(certificate.serverTls).withHmacUser(ACCESS_ID, TC_SECRET_KEY).withApiToken(TC_API_TOKEN);
        smtpUp(SMTP_PASSWORD);
        Map<String, String> wrong = Map.of(
                "wrong tc.secret-key", "WrongTcSecret-Ua12/+=", "wrong tc.api-token", "WrongTcToken-Ub34",
                "wrong Kafka password", "WrongKafkaPw-Uc56", "wrong sink.email.password", "WrongSmtpPw-Ud78");
        Map<String, String> environment = environment(wrong.get("wrong tc.secret-key"), wrong.get("wrong tc.api-token"),
                wrong.get("wrong Kafka password"), wrong.get("wrong sink.email.password"), database("tc_check"), DB_PASSWORD,
                "tc.job.failures.check");

        process = start(environment, "--check");
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("--check finished").isTrue();

        Map<String, String> outputs = processOutputs();
        assertThat(process.exitValue()).as(outputs.get("stdout")).isEqualTo(1);
        assertThat(outputs.get("stdout"))
                .contains("FAIL threatconnect default: ThreatConnect answered HTTP 401")
                .contains("FAIL threatconnect token: ThreatConnect answered HTTP 401")
                .contains("FAIL sink kafka:")
                .contains("FAIL sink email:")
                .contains("OK   sink file:")
                .contains("SKIP sink custom: http://127.0.0.1:")
                .contains("SKIP sink slack:");
        Map<String, String> secrets = new HashMap<>(SECRETS);
        secrets.putAll(wrong);
        assertNoSecretIn(outputs, secretsAndCredentials(secrets));
    }

    @Test
    void aRefusedDatabasePasswordStopsStartUpWithoutShowingIt() throws Exception {
        tc = ThreatConnectSimulator.startHttps(certificate.serverTls).withHmacUser(ACCESS_ID, TC_SECRET_KEY).withApiToken(TC_API_TOKEN);
        smtpUp(SMTP_PASSWORD);
        String wrongPassword = "WrongDbPw-Ue90";
        Map<String, String> environment = environment(TC_SECRET_KEY, TC_API_TOKEN, KAFKA_PASSWORD, SMTP_PASSWORD,
                database("tc_refused"), wrongPassword, "tc.job.failures.refused");

        process = start(environment, "--once");
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("--once finished").isTrue();

        Map<String, String> outputs = processOutputs();
        assertThat(process.exitValue()).as(outputs.get("stderr")).isEqualTo(2);
        assertThat(outputs.get("stderr")).contains("cannot start").contains("password authentication failed");
        Map<String, String> secrets = new HashMap<>(SECRETS);
        secrets.put("wrong monitor.cluster.password", wrongPassword);
        assertNoSecretIn(outputs, secretsAndCredentials(secrets));
    }

    // --- the set-up --------------------------------------------------------------------------------

    /** Every setting that holds or uses a secret, as environment variables, the secrets given. */
    private Map<String, String> environment(String secretKey, String apiToken, String kafkaPassword, String smtpPassword,
                                            String jdbcUrl, String dbPassword, String topic) throws IOException {
        Files.createDirectories(workDir.resolve("routes"));
        Files.writeString(workDir.resolve("routes/monitors.camel.yaml"), MONITORS);
        Map<String, String> environment = new HashMap<>();
        environment.put("TC_BASE_URL", tc.baseUrl());
        environment.put("TC_HMAC_ACCESS_ID", ACCESS_ID);
        environment.put("TC_HMAC_SECRET_KEY", secretKey);
        environment.put("TC_TOKEN_API_TOKEN", apiToken);
        environment.put("TC_TLS_TRUSTSTORE", certificate.truststore.toString());
        environment.put("TC_TLS_TRUSTSTORE_PASSWORD", certificate.truststorePassword);
        // the HMAC monitor's own (the same truststore), passed on by the template
        environment.put("TC_HMAC_TRUSTSTORE", certificate.truststore.toString());
        environment.put("TC_HMAC_TRUSTSTORE_PASSWORD", certificate.truststorePassword);
        environment.put("TC_RETRY_BUDGET", "PT1S");
        environment.put("MONITOR_CLUSTER_ENABLED", "true");
        environment.put("MONITOR_CLUSTER_JDBC_URL", jdbcUrl);
        environment.put("MONITOR_CLUSTER_USER", databaseRole(jdbcUrl));
        environment.put("MONITOR_CLUSTER_PASSWORD", dbPassword);
        environment.put("SINKS", "file,kafka,email,custom,slack");
        environment.put("SINK_KAFKA_BROKERS", kafka.saslBootstrapServers());
        environment.put("SINK_KAFKA_TOPIC", topic);
        environment.put("SINK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        environment.put("SINK_KAFKA_SASL_MECHANISM", "PLAIN");
        environment.put("SINK_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + KAFKA_USER + "\" password=\"" + kafkaPassword + "\";");
        // not used by SASL_PLAINTEXT, but set: a configuration dump would show them
        environment.put("SINK_KAFKA_SSL_TRUSTSTORE_PASSWORD", KAFKA_SSL_TRUSTSTORE_PASSWORD);
        environment.put("SINK_KAFKA_SSL_KEYSTORE_PASSWORD", KAFKA_SSL_KEYSTORE_PASSWORD);
        environment.put("SINK_KAFKA_SSL_KEY_PASSWORD", KAFKA_SSL_KEY_PASSWORD);
        environment.put("SINK_EMAIL_HOST", "127.0.0.1");
        environment.put("SINK_EMAIL_PORT", String.valueOf(smtp.getSmtp().getPort()));
        environment.put("SINK_EMAIL_USERNAME", SMTP_USER);
        // GreenMail on loopback speaks plain SMTP: the login (whose password must stay hidden) goes in clear
        environment.put("SINK_EMAIL_ALLOW_INSECURE_AUTH", "true");
        environment.put("SINK_EMAIL_PASSWORD", smtpPassword);
        environment.put("SINK_EMAIL_FROM", "tc-monitor@localhost");
        environment.put("SINK_EMAIL_TO", "soc@localhost");
        environment.put("SINK_EMAIL_MAX_REDELIVERIES", "0");
        String webhookUrl = (webhook == null ? WebhookReceiver.down() : webhook).url(CUSTOM_HOOK_PATH);
        environment.put("SINK_CUSTOM_URI", webhookUrl + "?httpMethod=POST&authMethod=Basic&authenticationPreemptive=true&authUsername="
                + WEBHOOK_USER + "&authPassword=" + WEBHOOK_PASSWORD);
        environment.put("SINK_CUSTOM_MAX_REDELIVERIES", "1");
        environment.put("SINK_CUSTOM_REDELIVERY_DELAY", "100");
        // README's Slack-style sink, as an operator adds it: its route file and its webhook's URL
        Files.writeString(workDir.resolve("routes/slack.camel.yaml"), SlackStyleWebhookEndToEndTest.readmeSlackRoutesYaml());
        environment.put("SINK_SLACK_WEBHOOK_URL", (slack == null ? WebhookReceiver.down() : slack).url(SLACK_HOOK_PATH));
        environment.put("SINK_SLACK_MAX_REDELIVERIES", "1");
        environment.put("SINK_SLACK_REDELIVERY_DELAY", "100");
        return environment;
    }

    /** A database of its own, whose role logs in only with DB_PASSWORD (checked here: a wrong one is refused). */
    private static String database(String role) throws Exception {
        String jdbcUrl = postgres.passwordUser(role, DB_PASSWORD);
        // the server reloads its rules in the background
        await().atMost(Duration.ofSeconds(10)).until(() -> refused(jdbcUrl, role, "not-" + DB_PASSWORD));
        DriverManager.getConnection(jdbcUrl, role, DB_PASSWORD).close();
        return jdbcUrl;
    }

    private static boolean refused(String jdbcUrl, String role, String password) {
        try {
            DriverManager.getConnection(jdbcUrl, role, password).close();
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    private static String databaseRole(String jdbcUrl) {
        return jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
    }

    private void smtpUp(String password) {
        smtp = new GreenMail(new ServerSetup(FreePorts.freePort(), "127.0.0.1", "smtp"))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("tc-monitor@localhost", SMTP_USER, password));
        smtp.start();
    }

    private Process start(Map<String, String> environment, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(PackagedJar.command(DEBUG_EVERYWHERE, args)).directory(workDir.toFile())
                .redirectOutput(workDir.resolve("stdout.txt").toFile())
                .redirectError(workDir.resolve("stderr.txt").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_") || key.startsWith("SINK")
                || key.startsWith("CAMEL_"));
        builder.environment().putIfAbsent("CAMEL_MANAGEMENT_PORT", String.valueOf(FreePorts.freePort()));
        builder.environment().putAll(environment);
        return builder.start();
    }

    private String get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    // --- what the process left ---------------------------------------------------------------------

    private List<String> alertLines() throws IOException {
        List<String> lines = new ArrayList<>();
        Path dir = workDir.resolve("data/alerts");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    lines.addAll(Files.readAllLines(file));
                }
            }
        }
        return lines;
    }

    /** stdout, stderr and every file the process wrote (alerts, dead letters, state), by name. */
    private Map<String, String> processOutputs() throws IOException {
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("stdout", Files.readString(workDir.resolve("stdout.txt")));
        outputs.put("stderr", Files.readString(workDir.resolve("stderr.txt")));
        Path data = workDir.resolve("data");
        if (Files.isDirectory(data)) {
            try (Stream<Path> files = Files.walk(data)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    outputs.put(workDir.relativize(file).toString(), Files.readString(file));
                }
            }
        }
        return outputs;
    }

    /** What reached Kafka, SMTP and the webhooks. */
    private Map<String, String> sinkOutputs(String topic) throws Exception {
        Map<String, String> outputs = new LinkedHashMap<>();
        StringBuilder records = new StringBuilder();
        for (ConsumerRecord<String, String> record : kafka.consume(topic, Integer.MAX_VALUE, Duration.ofSeconds(3))) {
            records.append(record.key()).append(' ').append(record.value());
            record.headers().forEach(header -> records.append(' ').append(header.key()).append('=')
                    .append(new String(header.value(), StandardCharsets.UTF_8)));
            records.append('\n');
        }
        outputs.put("Kafka records", records.toString());
        MimeMessage[] mails = smtp.getReceivedMessages();
        for (int i = 0; i < mails.length; i++) {
            outputs.put("mail " + i, GreenMailUtil.getWholeMessage(mails[i]));
        }
        List<WebhookReceiver.Received> requests = webhook.received();
        for (int i = 0; i < requests.size(); i++) {
            Map<String, List<String>> headers = new HashMap<>(requests.get(i).headers());
            headers.remove("Authorization"); // where the login belongs
            outputs.put("webhook request " + i, headers + "\n" + requests.get(i).body());
        }
        List<WebhookReceiver.Received> messages = slack.received();
        for (int i = 0; i < messages.size(); i++) {
            outputs.put("Slack message " + i, messages.get(i).headers() + "\n" + messages.get(i).body());
        }
        return outputs;
    }

    // --- the search --------------------------------------------------------------------------------

    /**
     * Each secret in the forms it could leak in (raw, URL-encoded, Base64), the credentials built
     * from secrets (HTTP Basic, SMTP AUTH PLAIN), and the HMAC signature of every request
     * ThreatConnect received: short-lived, but a credential while it lasts.
     */
    private Map<String, String> secretsAndCredentials(Map<String, String> secrets) {
        Map<String, String> forms = new LinkedHashMap<>();
        secrets.forEach((name, secret) -> {
            forms.put(name, secret);
            forms.put(name + " (URL-encoded)", URLEncoder.encode(secret, StandardCharsets.UTF_8));
            forms.put(name + " (Base64)", base64(secret));
        });
        secrets.forEach((name, secret) -> {
            if (name.contains("sink.custom.uri")) {
                forms.put(name + " (HTTP Basic)", base64(WEBHOOK_USER + ":" + secret));
            }
            if (name.contains("sink.email.password")) {
                forms.put(name + " (AUTH PLAIN)", base64("\0" + SMTP_USER + "\0" + secret));
                forms.put(name + " (AUTH PLAIN with authzid)", base64(SMTP_USER + "\0" + SMTP_USER + "\0" + secret));
            }
        });
        List<String> signatures = hmacSignatures();
        for (int i = 0; i < signatures.size(); i++) {
            forms.put("HMAC signature of request " + i, signatures.get(i));
        }
        return forms;
    }

    private List<String> hmacSignatures() {
        return tc.requests().stream().flatMap(request -> request.header("Authorization").stream())
                .filter(value -> value.startsWith("TC ")).map(value -> value.substring(value.lastIndexOf(':') + 1)).toList();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertNoSecretIn(Map<String, String> outputs, Map<String, String> secrets) {
        // what was searched, for the report (target/failsafe-reports/...-output.txt)
        System.out.println(secrets.size() + " secret forms searched in:");
        outputs.forEach((output, text) -> System.out.println("  " + output + ": " + text.length() + " chars"));
        SoftAssertions softly = new SoftAssertions();
        outputs.forEach((output, text) -> secrets.forEach((name, secret) -> softly.assertThat(
                        text.lines().filter(line -> line.contains(secret)).limit(3).toList())
                .as("lines of %s with the %s", output, name).isEmpty()));
        softly.assertAll();
    }
}
