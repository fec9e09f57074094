package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.support.ForwardProxy;
import dev.tcjobmonitor.support.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar behind a proxy as an operator configures it: the standard HTTPS_PROXY variable
 * of the process's environment, or tc.proxy.* (here TC_PROXY_* variables), with {@code --check}
 * and {@code --once}. ThreatConnect is threatconnect.test, a name only the proxy resolves, over
 * HTTPS with a test CA's certificate ({@link ProxyEndToEndTest} has the details in process).
 */
class ProxyJarIT {

    private static final String TC_HOST = "threatconnect.test";
    private static final String SECRET = "Jar-Proxy-S3cr3t/+=";
    private static final String PROXY_USER = "proxy-user";
    private static final String PROXY_PASSWORD = "Jar-Proxy-Pa55/word";
    /** Every logger at DEBUG, including those the shipped logging settings quieten, as SecretsStayHiddenIT runs. */
    private static final List<String> DEBUG_EVERYWHERE = List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
            "-Dorg.slf4j.simpleLogger.log.org.quartz=debug");

    @TempDir
    static Path keys;
    private static ServerCertificate ca;
    private static SSLContext tcNameTls;

    @TempDir
    Path workDir;
    private ThreatConnectSimulator tc;
    private final List<AutoCloseable> proxies = new java.util.ArrayList<>();

    record Run(int exitCode, String stdout, String stderr) {
    }

    @BeforeAll
    static void makeKeys() throws Exception {
        ca = ServerCertificate.create(keys, "trust-pw");
        tcNameTls = ca.issue("tc-name", "CN=" + TC_HOST, "SAN=dns:" + TC_HOST);
    }

    @BeforeEach
    void startThreatConnect() {
        tc = ThreatConnectSimulator.startHttps(tcNameTls).withHmacUser("jar-user", SECRET);
        tc.addFailed(42, Instant.now().minusSeconds(60), "behind a proxy\n");
    }

    @AfterEach
    void stop() throws Exception {
        tc.close();
        for (AutoCloseable proxy : proxies) {
            proxy.close();
        }
    }

    private ForwardProxy proxy(ForwardProxy proxy) {
        proxies.add(proxy);
        return proxy.resolving(TC_HOST, InetAddress.getLoopbackAddress());
    }

    /** The environment of a monitor of threatconnect.test trusting the test CA, plus {@code more} pairs. */
    private Map<String, String> instance(String... more) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "TC_BASE_URL", "https://" + TC_HOST + ":" + tc.port() + "/api", "TC_ACCESS_ID", "jar-user",
                "TC_SECRET_KEY", SECRET, "TC_TLS_TRUSTSTORE", ca.truststore.toString(),
                "TC_TLS_TRUSTSTORE_PASSWORD", ca.truststorePassword, "TC_RETRY_BUDGET", "PT1S"));
        for (int i = 0; i < more.length; i += 2) {
            environment.put(more[i], more[i + 1]);
        }
        return environment;
    }

    private Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return run(List.of(), environment, args);
    }

    private Run run(List<String> jvmOptions, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        List<String> options = new java.util.ArrayList<>(DEBUG_EVERYWHERE);
        options.addAll(jvmOptions);
        ProcessBuilder builder = new ProcessBuilder(PackagedJar.command(options, args)).directory(workDir.toFile())
                .redirectOutput(workDir.resolve("stdout.txt").toFile())
                .redirectError(workDir.resolve("stderr.txt").toFile());
        // only what the test gives: not this machine's own proxy variables or settings
        builder.environment().keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_")
                || key.startsWith("SINK") || key.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        builder.environment().put("CAMEL_MANAGEMENT_PORT", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process finished").isTrue();
        return new Run(process.exitValue(), Files.readString(workDir.resolve("stdout.txt")),
                Files.readString(workDir.resolve("stderr.txt")));
    }

    private List<String> alertLines() throws IOException {
        Path dir = workDir.resolve("data/alerts");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            List<String> lines = new java.util.ArrayList<>();
            for (Path file : files.toList()) {
                lines.addAll(Files.readAllLines(file));
            }
            return lines;
        }
    }

    @Test
    void theEnvironmentsHttpsProxyCarriesTheCheckAndThePollAndItsPasswordReachesNoOutput() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.demanding(PROXY_USER, PROXY_PASSWORD));
        String httpsProxy = "http://" + PROXY_USER + ":" + URLEncoder.encode(PROXY_PASSWORD, StandardCharsets.UTF_8)
                + "@127.0.0.1:" + proxy.port();

        Run check = run(instance("HTTPS_PROXY", httpsProxy), "--check");
        Run once = run(instance("HTTPS_PROXY", httpsProxy), "--once");

        assertThat(check.exitCode()).as(check.stdout()).isZero();
        assertThat(check.stdout()).contains("OK   threatconnect default: https://" + TC_HOST);
        assertThat(once.exitCode()).as(once.stderr()).isZero();
        assertThat(once.stdout()).contains("through the proxy 127.0.0.1:" + proxy.port() + " (HTTPS_PROXY)");
        assertThat(alertLines()).singleElement().asString().contains("\"jobId\":42");
        String basic = Base64.getEncoder().encodeToString((PROXY_USER + ":" + PROXY_PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(proxy.requests()).filteredOn(request -> request.header("Proxy-Authorization").isPresent())
                .as("the check's tunnel and the poll's").hasSize(2)
                .allSatisfy(request -> assertThat(request.header("Proxy-Authorization")).contains("Basic " + basic));
        assertThat(tc.requests()).hasSize(2).allSatisfy(request -> assertThat(request.headers()).doesNotContainKey("proxy-authorization"));
        for (Run run : List.of(check, once)) {
            assertThat(run.stdout()).as("DEBUG logging is on").contains(" DEBUG ");
            assertThat(run.stdout() + run.stderr()).doesNotContain(PROXY_PASSWORD)
                    .doesNotContain(URLEncoder.encode(PROXY_PASSWORD, StandardCharsets.UTF_8)).doesNotContain(basic)
                    .doesNotContain(SECRET);
        }
    }

    @Test
    void tcProxySettingsWinOverTheEnvironmentsHttpsProxy() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.open());
        // nothing listens there: taking HTTPS_PROXY would fail the poll
        int down = FreePorts.freePort();

        Run once = run(instance("HTTPS_PROXY", "http://127.0.0.1:" + down,
                "TC_PROXY_HOST", "127.0.0.1", "TC_PROXY_PORT", String.valueOf(proxy.port())), "--once");

        assertThat(once.exitCode()).as(once.stderr()).isZero();
        assertThat(proxy.requests()).singleElement().satisfies(request -> assertThat(request.method()).isEqualTo("CONNECT"));
        assertThat(alertLines()).hasSize(1);
    }

    /**
     * One path for every request: the JVM's proxy properties, which the JDK's HttpClient (job
     * names and --check used it) would honour and camel-http would not, are read by none.
     */
    @Test
    void theJvmsProxyPropertiesAreNotUsed() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.open());

        Run check = run(List.of("-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=" + proxy.port()), instance(), "--check");

        // threatconnect.test is a name only the proxy knows: reached directly, it is not found
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.stdout()).contains("FAIL threatconnect default: cannot reach https://" + TC_HOST)
                .contains("UnknownHostException");
        assertThat(proxy.connections()).isZero();
    }

    @Test
    void aProxyThatIsDownFailsTheCheckAndThePollWithOneLineNamingIt() throws Exception {
        int down = FreePorts.freePort();

        Run check = run(instance("HTTPS_PROXY", "http://127.0.0.1:" + down), "--check");
        Run once = run(instance("HTTPS_PROXY", "http://127.0.0.1:" + down), "--once");

        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.stdout()).contains("FAIL threatconnect default: cannot connect to the proxy 127.0.0.1:" + down
                + " (HTTPS_PROXY)");
        assertThat(once.exitCode()).isEqualTo(1);
        assertThat(once.stderr().strip()).doesNotContain("\n").contains("poll of 'default' failed")
                .contains("cannot connect to the proxy 127.0.0.1:" + down + " (HTTPS_PROXY)");
        assertThat(tc.requests()).isEmpty();
    }

    @Test
    void halfSetProxySettingsStopStartUpWithOneLineNamingThem() throws Exception {
        Run hostOnly = run(instance("TC_PROXY_HOST", "proxy.example.org"), "--once");
        // the password as an operator may write it, not URL-encoded (its '/' ends the URL's authority)
        Run variableWithoutPort = run(instance("HTTPS_PROXY", "http://" + PROXY_USER + ":" + PROXY_PASSWORD + "@proxy.example.org"),
                "--once");

        assertThat(hostOnly.exitCode()).isEqualTo(2);
        assertThat(hostOnly.stderr().strip()).doesNotContain("\n").contains("cannot start").contains("tc.proxy.port");
        assertThat(variableWithoutPort.exitCode()).isEqualTo(2);
        assertThat(variableWithoutPort.stderr().strip()).doesNotContain("\n").contains("cannot start").contains("HTTPS_PROXY");
        assertThat(variableWithoutPort.stdout() + variableWithoutPort.stderr()).doesNotContain(PROXY_PASSWORD);
    }
}
