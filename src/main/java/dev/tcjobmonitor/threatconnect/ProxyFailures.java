package dev.tcjobmonitor.threatconnect;

import dev.tcjobmonitor.threatconnect.ThreatConnectProxy.ProxyRefused;
import dev.tcjobmonitor.threatconnect.ThreatConnectProxy.ProxyUnavailable;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpStatus;

/**
 * Names a failure of the proxy as the proxy's: one that cannot be reached, or cannot reach
 * ThreatConnect, is a {@link ProxyUnavailable}, a tunnel it refuses (407, 403, ...) a
 * {@link ProxyRefused}, each naming the proxy and where its address came from. What happens past
 * the proxy (in the tunnel, or after the request was handed to it) is left as it is.
 */
final class ProxyFailures {

    /** Marks an execution that got past the proxy (the tunnel is open, or the request was handed to it). */
    private static final String PASSED = "tc.proxy.passed";

    private final ThreatConnectProxy proxy;
    private final boolean credentials;

    /** @param credentials whether the proxy's user and password are set */
    ProxyFailures(ThreatConnectProxy proxy, boolean credentials) {
        this.proxy = proxy;
        this.credentials = credentials;
    }

    /** Installs the naming on {@code client}, whose route goes through the proxy. */
    void installOn(HttpClientBuilder client) {
        client.addExecInterceptorAfter(ChainElement.CONNECT.name(), "tc-proxy-passed", (request, scope, chain) -> {
            scope.clientContext.setAttribute(PASSED, Boolean.TRUE);
            return chain.proceed(request, scope);
        });
        client.addExecInterceptorFirst("tc-proxy-failures", this::namingProxyFailures);
    }

    private ClassicHttpResponse namingProxyFailures(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        scope.clientContext.removeAttribute(PASSED);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (SSLException e) {
            // the TLS handshake is with ThreatConnect, through the tunnel
            throw e;
        } catch (IOException e) {
            if (passed(scope)) {
                throw e;
            }
            throw new ProxyUnavailable("cannot connect to the proxy " + proxy + ": " + reason(e)
                    + "; ThreatConnect was not reached");
        }
        int status = response.getCode();
        if (passed(scope) && status != HttpStatus.SC_PROXY_AUTHENTICATION_REQUIRED) {
            return response;
        }
        // the proxy's own answer: to the CONNECT, or a 407 (which only a proxy sends)
        String answer = "HTTP " + status + (response.getReasonPhrase() == null ? "" : " " + response.getReasonPhrase());
        response.close();
        String tunnel = "a tunnel to " + request.getAuthority();
        if (status == HttpStatus.SC_PROXY_AUTHENTICATION_REQUIRED) {
            throw new ProxyRefused("the proxy " + proxy + " refused " + tunnel + ": " + answer + " (" + (!credentials
                    ? "it wants credentials: set tc.proxy.user and tc.proxy.password" : "check tc.proxy.user and tc.proxy.password")
                    + "); ThreatConnect was not reached");
        }
        if (status >= 500) {
            throw new ProxyUnavailable("the proxy " + proxy + " could not open " + tunnel + ": " + answer
                    + "; ThreatConnect was not reached");
        }
        throw new ProxyRefused("the proxy " + proxy + " refused " + tunnel + ": " + answer + "; ThreatConnect was not reached");
    }

    private static boolean passed(ExecChain.Scope scope) {
        return Boolean.TRUE.equals(scope.clientContext.getAttribute(PASSED));
    }

    /** The innermost message of the chain (HttpClient's own repeats the address), or the type. */
    private static String reason(Throwable failure) {
        String said = failure.getClass().getSimpleName();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                said = t.getMessage();
            }
        }
        return said.replaceAll("[\\r\\n]+", " ");
    }
}
