package dev.tcjobmonitor;

import java.util.Comparator;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line naming the management server's endpoints at the address the server is bound to. Camel's
 * own summary (MainHttpServerUtil, at WARN in the standalone process) prints {@code http://0.0.0.0}
 * whatever {@code camel.management.host} is, and MicrometerPrometheus the configured port, which is
 * 0 when the system picks one.
 */
final class ManagementSummary extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementSummary.class);

    @Override
    public void afterStart(BaseMainSupport main) {
        String line = describe(main.getCamelContext());
        if (line != null) {
            LOG.info(line);
        }
    }

    /** The line, or null when this process has no management server. */
    static String describe(CamelContext context) {
        ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
        if (management == null) {
            return null;
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(management.getPort()));
        if (router == null || router.getServer() == null) {
            return null;
        }
        VertxPlatformHttpServer server = router.getServer();
        String host = server.getHost().contains(":") ? "[" + server.getHost() + "]" : server.getHost();
        boolean tls = management.getSslContextParameters() != null
                || management.isUseGlobalSslContextParameters() && context.getSSLContextParameters() != null;
        String origin = (tls ? "https://" : "http://") + host + ":" + server.getPort();
        String endpoints = context.getComponent("platform-http", PlatformHttpComponent.class).getHttpManagementEndpoints()
                .stream().sorted(Comparator.comparing(HttpEndpointModel::getUri))
                .map(endpoint -> origin + endpoint.getUri() + (endpoint.getVerbs() == null ? "" : " (" + endpoint.getVerbs() + ")"))
                .collect(Collectors.joining(", "));
        return "Management server on " + origin + ": " + (endpoints.isEmpty() ? "no endpoints" : endpoints);
    }
}
