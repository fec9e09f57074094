package dev.tcjobmonitor.threatconnect;

import java.util.Map;

/** ThreatConnect API-token authentication: {@code Authorization: TC-Token <token>}. */
public final class TokenSigner implements RequestSigner {

    private final String token;

    public TokenSigner(String token) {
        this.token = token;
    }

    @Override
    public Map<String, String> sign(String method, String pathAndQuery) {
        return Map.of("Authorization", "TC-Token " + token);
    }

    @Override
    public String toString() {
        return "TokenSigner[token=****]";
    }
}
