package dev.tcjobmonitor.alert;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * The JSON document every sink receives: the execution's fields exactly as ThreatConnect sent
 * them, plus a {@code monitor} object saying who found it, where, and when.
 */
public final class AlertDocument {

    private static final ObjectMapper JSON = ExecutionPageReader.JSON;

    private AlertDocument() {
    }

    public static String render(FailedExecution execution, String monitor, String baseUrl, Instant detectedAt) {
        return render(execution, about(monitor, baseUrl, detectedAt));
    }

    /** The {@code monitor} object: the same for every alert a poll finds in one page, so made once per page. */
    public static ObjectNode about(String monitor, String baseUrl, Instant detectedAt) {
        return JSON.createObjectNode()
                .put("instance", monitor)
                .put("baseUrl", baseUrl)
                .put("detectedAt", detectedAt.toString());
    }

    /** The execution's fields, then {@code about} under the first name ThreatConnect did not use. */
    public static String render(FailedExecution execution, ObjectNode about) {
        // ThreatConnect's own fields are never overwritten: ours takes the first free name
        String name = "monitor";
        while (execution.fields().has(name)) {
            name = "_" + name;
        }
        try {
            return JSON.writeValueAsString(new Document(execution.fields(), name, about));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an alert document", e);
        }
    }

    /**
     * Writes what an ObjectNode of the execution's fields plus {@code name: about} would write,
     * field by field as ObjectNode does, without copying the execution into a new node first.
     */
    private record Document(ObjectNode fields, String name, ObjectNode about) implements JsonSerializable {

        @Override
        public void serialize(JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeStartObject();
            for (Map.Entry<String, JsonNode> field : fields.properties()) {
                generator.writeFieldName(field.getKey());
                field.getValue().serialize(generator, provider);
            }
            generator.writeFieldName(name);
            about.serialize(generator, provider);
            generator.writeEndObject();
        }

        @Override
        public void serializeWithType(JsonGenerator generator, SerializerProvider provider, TypeSerializer types) {
            throw new UnsupportedOperationException("an alert document is written as plain JSON");
        }
    }
}
