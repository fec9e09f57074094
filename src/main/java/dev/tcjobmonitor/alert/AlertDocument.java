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
import java.io.Writer;
import java.time.Instant;
import java.util.Map;

/**
 * The JSON document every sink receives: the execution's fields exactly as ThreatConnect sent
 * them, plus a {@code monitor} object saying who found it, where, and when.
 *
 * <p>An instance is one alert's document: either its text, or what it is made of (the execution
 * and the page's {@code monitor} object), rendered when a sink first asks for the text. The file
 * sink never asks: it writes the document straight into its output ({@link #writeTo}), the same
 * characters {@link #text()} would hold, so a page of alerts costs no string per alert.
 */
public final class AlertDocument {

    private static final ObjectMapper JSON = ExecutionPageReader.JSON;

    private final FailedExecution execution;
    private final ObjectNode about;
    /** {@code about} as compact JSON, made once per page; null: made when needed. */
    private final String aboutJson;
    /** The text, once rendered or when given (racy single check: a String is immutable, two renders are equal). */
    private String text;

    private AlertDocument(FailedExecution execution, ObjectNode about, String aboutJson, String text) {
        this.execution = execution;
        this.about = about;
        this.aboutJson = aboutJson;
        this.text = text;
    }

    /** A document given as text (a notice's, or one an operator's route changed). */
    public static AlertDocument of(String text) {
        return new AlertDocument(null, null, null, text);
    }

    /** The document of {@code execution} with {@code about} as its {@code monitor} member, rendered when first needed. */
    public static AlertDocument of(FailedExecution execution, ObjectNode about) {
        return of(execution, about, json(about));
    }

    /**
     * The same, with {@code about} already written as JSON ({@link #json(ObjectNode)}, once for
     * every alert of a page).
     */
    public static AlertDocument of(FailedExecution execution, ObjectNode about, String aboutJson) {
        return new AlertDocument(execution, about, aboutJson, null);
    }

    /** {@code about} (or any node) as compact JSON, as it is written inside a document. */
    public static String json(ObjectNode about) {
        try {
            return JSON.writeValueAsString(about);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an alert document", e);
        }
    }

    /** The document's JSON text. */
    public String text() {
        String rendered = text;
        if (rendered == null) {
            rendered = execution.json() != null ? streamed(execution, aboutJson) : render(execution, about);
            text = rendered;
        }
        return rendered;
    }

    /** Writes the characters of {@link #text()}, without making that string when it was not made yet. */
    public void writeTo(Writer out) throws IOException {
        String rendered = text;
        String json = execution == null ? null : execution.json();
        if (rendered != null || json == null) {
            out.write(text());
            return;
        }
        // the execution's JSON without its closing brace, then the monitor member, then the brace
        if (execution.asciiJson() && out instanceof AsciiWriter ascii) {
            ascii.writeAscii(json, 0, json.length() - 1);
        } else {
            out.write(json, 0, json.length() - 1);
        }
        if (json.length() > 2) {
            out.write(',');
        }
        out.write('"');
        out.write(name(execution));
        out.write("\":");
        if (out instanceof AsciiWriter ascii && isAscii(aboutJson)) {
            ascii.writeAscii(aboutJson, 0, aboutJson.length());
        } else {
            out.write(aboutJson);
        }
        out.write('}');
    }

    /** The monitor member last looked at, and whether it is ASCII: every alert of a page shares one. */
    private record AsciiCheck(String json, boolean ascii) {
    }

    private static volatile AsciiCheck lastAbout = new AsciiCheck("", true);

    private static boolean isAscii(String json) {
        AsciiCheck last = lastAbout;
        if (last.json() != json) {
            boolean ascii = true;
            for (int i = 0; i < json.length() && ascii; i++) {
                ascii = json.charAt(i) < 0x80;
            }
            last = new AsciiCheck(json, ascii);
            lastAbout = last;
        }
        return last.ascii();
    }

    /** What the tree's rendering writes for a streamed execution, put together from its JSON. */
    private static String streamed(FailedExecution execution, String aboutJson) {
        String json = execution.json();
        String name = name(execution);
        return new StringBuilder(json.length() + name.length() + aboutJson.length() + 5)
                .append(json, 0, json.length() - 1)
                .append(json.length() > 2 ? "," : "")
                .append('"').append(name).append("\":")
                .append(aboutJson)
                .append('}')
                .toString();
    }

    /** ThreatConnect's own fields are never overwritten: ours takes the first free name. */
    private static String name(FailedExecution execution) {
        String name = "monitor";
        while (execution.has(name)) {
            name = "_" + name;
        }
        return name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AlertDocument document && text().equals(document.text());
    }

    @Override
    public int hashCode() {
        return text().hashCode();
    }

    @Override
    public String toString() {
        return text();
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
        if (execution.json() != null) {
            return streamed(execution, json(about));
        }
        try {
            return JSON.writeValueAsString(document(execution, about));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an alert document", e);
        }
    }

    private static Document document(FailedExecution execution, ObjectNode about) {
        return new Document(execution.fields(), name(execution), about);
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
