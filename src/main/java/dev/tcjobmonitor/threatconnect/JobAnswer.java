package dev.tcjobmonitor.threatconnect;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;

/**
 * ThreatConnect's answer to {@code GET /v3/jobs/{id}}, a status and a body, and the job's name read
 * out of it: its display name, else its name, or a {@link ThreatConnectException} saying in one
 * line why the answer gives none.
 */
record JobAnswer(int status, byte[] body) {

    /** The name of job {@code jobId} in this answer; throws {@link ThreatConnectException} when there is none. */
    String name(long jobId) {
        if (status < 200 || status > 299) {
            // a redirect, a refusal or a proxy's page: ThreatConnect's message when there is one
            String said = parse(body).map(object -> ": " + message(object)).orElse("");
            throw new ThreatConnectException("HTTP " + status + said);
        }
        JsonNode object = parse(body)
                .orElseThrow(() -> new ThreatConnectException("HTTP " + status + " with a body that is not a JSON object"));
        JsonNode envelopeStatus = object.path("status");
        if (!envelopeStatus.isMissingNode() && !"Success".equals(envelopeStatus.asText())) {
            throw new ThreatConnectException("HTTP " + status + " with status " + ExecutionPageReader.excerpt(envelopeStatus.asText())
                    + ": " + message(object));
        }
        // ThreatConnect wraps the job in "data"; tolerate the fields at top level too
        JsonNode job = object.path("data").isObject() ? object.get("data") : object;
        JsonNode id = job.path("id");
        if ((id.isNumber() || id.isTextual()) && !id.asText().equals(Long.toString(jobId))) {
            throw new ThreatConnectException("the answer is about job " + ExecutionPageReader.excerpt(id.asText()));
        }
        return text(job.path("displayName"))
                .or(() -> text(job.path("name")))
                .orElseThrow(() -> new ThreatConnectException("the answer has neither displayName nor name"));
    }

    /** The body as a JSON object, or nothing when it is empty, not JSON, or not an object. */
    private static Optional<JsonNode> parse(byte[] body) {
        try {
            JsonNode node = ExecutionPageReader.JSON.readTree(body);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String message(JsonNode body) {
        return text(body.path("message")).map(ExecutionPageReader::excerpt).orElse("(no message)");
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText().strip()) : Optional.empty();
    }
}
