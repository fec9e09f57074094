package dev.tcjobmonitor.threatconnect;

import java.util.Map;

/** Produces the authentication headers of one ThreatConnect request, just before it is sent. */
public interface RequestSigner {

    /**
     * @param method        HTTP method, e.g. {@code GET}
     * @param pathAndQuery  the raw path (starting with {@code /api}) and raw query exactly as sent
     * @return header name to value
     */
    Map<String, String> sign(String method, String pathAndQuery);
}
