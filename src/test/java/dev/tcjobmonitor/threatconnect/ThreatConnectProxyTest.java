package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which proxy a monitor's requests take, decided at start from tc.proxy.* or the environment
 * (given here as a map, as the process would see it). The requests themselves, through a real
 * proxy, are ProxyEndToEndTest's.
 */
class ThreatConnectProxyTest {

    private static final ApiEndpoint CLOUD = ApiEndpoint.of("https://app.threatconnect.com/api");
    private static final ThreatConnectProxy.Settings NONE = ThreatConnectProxy.Settings.NONE;

    private static ThreatConnectProxy.Settings explicit(String host, String port) {
        return new ThreatConnectProxy.Settings(host, port, "", "", "");
    }

    @Test
    void noSettingAndNoVariableMeansNoProxy() {
        assertThat(ThreatConnectProxy.forEndpoint(CLOUD, NONE, Map.of()).direct()).isTrue();
    }

    @Test
    void tcProxySettingsWinOverTheEnvironment() {
        ThreatConnectProxy proxy = ThreatConnectProxy.forEndpoint(CLOUD, explicit("proxy.corp.example", "3128"),
                Map.of("HTTPS_PROXY", "http://other.example:8080", "NO_PROXY", "threatconnect.com"));

        // NO_PROXY is the environment's too: not read either
        assertThat(proxy).hasToString("proxy.corp.example:3128 (tc.proxy.host)");
    }

    @Test
    void theEnvironmentsHttpsProxyIsTakenWhenNoSettingIsSet() {
        ThreatConnectProxy proxy = ThreatConnectProxy.forEndpoint(CLOUD, NONE,
                Map.of("HTTPS_PROXY", "http://monitor:S3cret%40x@proxy.corp.example:3128/"));

        assertThat(proxy).hasToString("proxy.corp.example:3128 (HTTPS_PROXY)");
        assertThat(proxy.toString()).doesNotContain("S3cret");
    }

    @Test
    void theLowerCaseVariableWinsAsCurlHasIt() {
        ThreatConnectProxy proxy = ThreatConnectProxy.forEndpoint(CLOUD, NONE,
                Map.of("https_proxy", "lower.example:3128", "HTTPS_PROXY", "upper.example:3128"));

        assertThat(proxy).hasToString("lower.example:3128 (https_proxy)");
    }

    @Test
    void anHttpBaseUrlTakesHttpProxyNotHttpsProxy() {
        ApiEndpoint plain = ApiEndpoint.of("http://tc.example.org/api");
        Map<String, String> environment = Map.of("HTTPS_PROXY", "https-proxy.example:3128", "HTTP_PROXY", "http-proxy.example:3128");

        assertThat(ThreatConnectProxy.forEndpoint(plain, NONE, environment)).hasToString("http-proxy.example:3128 (HTTP_PROXY)");
        assertThat(ThreatConnectProxy.forEndpoint(CLOUD, NONE, environment)).hasToString("https-proxy.example:3128 (HTTPS_PROXY)");
    }

    /** The proxy's loopback is not this host's: whatever is set, loopback is reached directly. */
    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/api", "https://localhost:8443/api", "http://[::1]:8080/api", "http://127.1.2.3/api"})
    void aBaseUrlOnLoopbackIsAlwaysDirect(String baseUrl) {
        ApiEndpoint loopback = ApiEndpoint.of(baseUrl);

        assertThat(ThreatConnectProxy.forEndpoint(loopback, explicit("proxy.corp.example", "3128"), Map.of()).direct()).isTrue();
        assertThat(ThreatConnectProxy.forEndpoint(loopback, NONE,
                Map.of("HTTPS_PROXY", "proxy.corp.example:3128", "HTTP_PROXY", "proxy.corp.example:3128")).direct()).isTrue();
    }

    @ParameterizedTest(name = "{0} for {1}: direct={2}")
    @CsvSource({
            "app.threatconnect.com,           app.threatconnect.com, true",
            "threatconnect.com,               app.threatconnect.com, true",
            ".threatconnect.com,              app.threatconnect.com, true",
            "*.threatconnect.com,             app.threatconnect.com, true",
            "'internal.example, *',           app.threatconnect.com, true",
            "app.threatconnect.com:443,       app.threatconnect.com, true",
            "internal.example|threatconnect.com, app.threatconnect.com, true",
            "connect.com,                     app.threatconnect.com, false",
            "app.threatconnect.com.evil,      app.threatconnect.com, false",
            "10.0.0.5,                        10.0.0.50,             false",
            "10.0.0.5,                        10.0.0.5,              true",
            "fe80::1,                         [fe80::1],             true",
            "[fe80::1],                       [fe80::1],             true",
            "fe80::2,                         [fe80::1],             false"})
    void nonProxyHostsAreTheHostAndItsSubdomains(String nonProxyHosts, String host, boolean direct) {
        ApiEndpoint endpoint = ApiEndpoint.of("https://" + host + "/api");

        assertThat(ThreatConnectProxy.forEndpoint(endpoint,
                new ThreatConnectProxy.Settings("proxy.corp.example", "3128", "", "", nonProxyHosts), Map.of()).direct())
                .isEqualTo(direct);
        assertThat(ThreatConnectProxy.forEndpoint(endpoint, NONE,
                Map.of("HTTPS_PROXY", "proxy.corp.example:3128", "NO_PROXY", nonProxyHosts)).direct())
                .isEqualTo(direct);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "host without port|proxy.corp.example||||proxyPort (tc.proxy.port)",
            "port without host||3128|||proxyHost (tc.proxy.host)",
            "user without password|proxy.corp.example|3128|monitor||proxyPassword (tc.proxy.password)",
            "password without user|proxy.corp.example|3128||Half-Set-S3cret|proxyUser (tc.proxy.user)",
            "credentials without host|||monitor|Half-Set-S3cret|proxyHost (tc.proxy.host)",
            "port zero|proxy.corp.example|0|||proxyPort (tc.proxy.port)",
            "port not a number|proxy.corp.example|http|||proxyPort (tc.proxy.port)",
            "a URL for the host|http://proxy.corp.example:3128|3128|||proxyHost (tc.proxy.host)",
            "user info in the host|monitor:Half-Set-S3cret@proxy.corp.example|3128|||proxyHost (tc.proxy.host)"})
    void halfSetOrMalformedSettingsAreRejectedNamingTheSetting(String what, String host, String port, String user,
                                                               String password, String setting) {
        ThreatConnectProxy.Settings settings = new ThreatConnectProxy.Settings(host, port, user, password, "");

        assertThatThrownBy(() -> ThreatConnectProxy.forEndpoint(CLOUD, settings, Map.of()))
                .isInstanceOfSatisfying(ThreatConnectProxy.InvalidSetting.class,
                        e -> assertThat(e.setting()).isEqualTo(setting))
                .hasMessageNotContaining("Half-Set-S3cret");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "http://monitor:Env-S3cret@proxy.corp.example",
            // not URL-encoded: the '/' ends the authority, and the password would be in the "path"
            "http://monitor:Env-S3cret/x@proxy.corp.example:3128",
            "http://monitor:Env-S3cret:x@proxy.corp.example",
            "http://monitor:Env-S3cret/@proxy.corp.example:3128",
            "https://monitor:Env-S3cret@proxy.corp.example:3128",
            "http://monitor@proxy.corp.example:3128",
            "http://:Env-S3cret@proxy.corp.example:3128",
            "http://proxy.corp.example:3128/some/path",
            "socks5://proxy.corp.example:1080"})
    void aMalformedVariableIsRejectedNamingItWithoutItsPassword(String value) {
        assertThatThrownBy(() -> ThreatConnectProxy.forEndpoint(CLOUD, NONE, Map.of("HTTPS_PROXY", value)))
                .isInstanceOfSatisfying(ThreatConnectProxy.InvalidSetting.class,
                        e -> assertThat(e.setting()).isEqualTo("HTTPS_PROXY"))
                .hasMessageNotContaining("Env-S3cret");
    }

    @Test
    void theSettingsNeverShowThePassword() {
        ThreatConnectProxy.Settings settings = new ThreatConnectProxy.Settings("proxy.corp.example", "3128", "monitor",
                "Shown-Nowhere-S3cret", "");

        assertThat(settings.toString()).doesNotContain("Shown-Nowhere-S3cret");
        assertThat(ThreatConnectProxy.forEndpoint(CLOUD, settings, Map.of()).toString())
                .isEqualTo("proxy.corp.example:3128 (tc.proxy.host)");
    }
}
