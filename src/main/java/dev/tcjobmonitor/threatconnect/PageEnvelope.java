package dev.tcjobmonitor.threatconnect;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.FailedExecution;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A page of {@code /v3/job/executions} as read from its body in one pass (the poll's camel-jackson
 * {@code unmarshal} reads it as this type, with {@link ExactJson}): what {@link ExecutionPageReader}
 * checks of the envelope ({@code status}, {@code message}, {@code next}, {@code data}) as the small
 * trees Jackson reads, and each object of the {@code data} array as a {@link FailedExecution} of
 * its own compact JSON, without a tree per execution (a page of 10,000 executions read as trees
 * costs about a kilobyte of memory per execution, as JSON text a quarter of that).
 *
 * <p>It says what the envelope read as one tree would say: the last of two members of one name
 * counts (and in an execution, at the place of the first); an element of {@code data} that is not
 * an object, and any value nested in an execution, is read as Jackson reads it; numbers keep
 * their exact value ({@link ExactJson}).
 */
@JsonDeserialize(using = PageEnvelope.Reader.class)
public final class PageEnvelope {

    /** The whole body when it is not an object (NullNode for {@code null}), else null. */
    private final JsonNode notAnObject;
    private JsonNode status;
    private JsonNode message;
    private JsonNode next;
    /** {@code data} when it is not an array (or missing: null); else NullNode.instance is never used. */
    private JsonNode data;
    private boolean dataIsArray;
    private final List<FailedExecution> executions = new ArrayList<>();
    private final List<JsonNode> notObjects = new ArrayList<>();

    private PageEnvelope(JsonNode notAnObject) {
        this.notAnObject = notAnObject;
    }

    /** The body was JSON but no object (or {@code null}). */
    static PageEnvelope notAnObject(JsonNode body) {
        return new PageEnvelope(body);
    }

    /** An envelope already read as a tree. */
    static PageEnvelope of(JsonNode envelope) {
        if (envelope == null || !envelope.isObject()) {
            return new PageEnvelope(envelope == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : envelope);
        }
        PageEnvelope page = new PageEnvelope(null);
        page.status = envelope.get("status");
        page.message = envelope.get("message");
        page.next = envelope.get("next");
        JsonNode data = envelope.get("data");
        if (data != null && data.isArray()) {
            page.dataIsArray = true;
            data.forEach(element -> {
                if (element instanceof ObjectNode execution) {
                    page.executions.add(new FailedExecution(execution));
                } else {
                    page.notObjects.add(element);
                }
            });
        } else {
            page.data = data;
        }
        return page;
    }

    JsonNode notAnObject() {
        return notAnObject;
    }

    /** A member of the envelope: {@code status}, {@code message}, {@code next} or {@code data} (null when missing). */
    JsonNode member(String name) {
        return switch (name) {
            case "status" -> status;
            case "message" -> message;
            case "next" -> next;
            default -> throw new IllegalArgumentException(name);
        };
    }

    boolean dataIsArray() {
        return dataIsArray;
    }

    /** {@code data} when it is not an array, for the message; null when missing. */
    JsonNode data() {
        return data;
    }

    List<FailedExecution> executions() {
        return executions;
    }

    List<JsonNode> notObjects() {
        return notObjects;
    }

    /** Reads the envelope from its first token (the parser is on it). */
    static PageEnvelope read(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            JsonNode body = ExecutionPageReader.JSON.readTree(parser);
            return notAnObject(body == null ? NullNode.getInstance() : body);
        }
        PageEnvelope page = new PageEnvelope(null);
        Copier copier = null;
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("data") && value == JsonToken.START_ARRAY) {
                // a later data member replaces an earlier one, as in a tree
                page.executions.clear();
                page.notObjects.clear();
                page.data = null;
                page.dataIsArray = true;
                if (copier == null) {
                    copier = new Copier();
                }
                for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
                    if (element == JsonToken.START_OBJECT) {
                        page.executions.add(copier.copy(parser));
                    } else {
                        page.notObjects.add(ExecutionPageReader.JSON.readTree(parser));
                    }
                }
                continue;
            }
            // every other member as the tree Jackson reads (so it is checked as a tree would be)
            JsonNode node = ExecutionPageReader.JSON.readTree(parser);
            switch (name) {
                case "status" -> page.status = node;
                case "message" -> page.message = node;
                case "next" -> page.next = node;
                case "data" -> {
                    page.executions.clear();
                    page.notObjects.clear();
                    page.dataIsArray = false;
                    page.data = node;
                }
                default -> {
                    // not needed
                }
            }
        }
        return page;
    }

    /** The deserializer camel-jackson's unmarshal uses for this type. */
    public static final class Reader extends JsonDeserializer<PageEnvelope> {

        @Override
        public PageEnvelope deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return read(parser);
        }

        @Override
        public PageEnvelope getNullValue(DeserializationContext context) {
            // a body of JSON null is JSON that is not an object, as a tree reads it
            return notAnObject(NullNode.getInstance());
        }
    }

    /**
     * Copies one object of {@code data} into compact JSON through a generator of {@link ExactJson}
     * (what writing its tree would write), noting each top-level member's kind and place. One per
     * page: its buffers serve every execution of the page.
     */
    private static final class Copier {

        private final CompactText out = new CompactText();
        private final StringBuilder text = out.text();
        private final JsonGenerator generator;
        private String[] names = new String[16];
        /** Per member: kind, name start, value start, value end. */
        private int[] places = new int[64];

        Copier() throws IOException {
            generator = ExecutionPageReader.JSON.createGenerator(out);
            // one root value per execution, nothing between them
            generator.setRootValueSeparator(null);
        }

        /** Copies the object whose START_OBJECT the parser is on; leaves the parser on its END_OBJECT. */
        FailedExecution copy(JsonParser parser) throws IOException {
            out.clear();
            generator.writeStartObject();
            int count = 0;
            boolean repeated = false;
            Set<String> seen = null;
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                if (count == names.length) {
                    names = Arrays.copyOf(names, count * 2);
                    places = Arrays.copyOf(places, count * 8);
                }
                if (count < 16) {
                    for (int i = 0; i < count && !repeated; i++) {
                        repeated = names[i].equals(name);
                    }
                } else {
                    if (seen == null) {
                        seen = new HashSet<>(Arrays.asList(names).subList(0, count));
                    }
                    repeated |= !seen.add(name);
                }
                generator.flush();
                int nameStart = text.length();
                generator.writeFieldName(name);
                JsonToken value = parser.nextToken();
                generator.flush();
                int valueStart = text.length();
                int kind = copyValue(parser, value);
                generator.flush();
                // the generator writes the colon with the value
                if (text.charAt(valueStart) == ':') {
                    valueStart++;
                }
                names[count] = name;
                places[4 * count] = kind;
                places[4 * count + 1] = nameStart;
                places[4 * count + 2] = valueStart;
                places[4 * count + 3] = text.length();
                count++;
            }
            generator.writeEndObject();
            generator.flush();
            return repeated ? lastOfEachName(count) : execution(text.toString(), count);
        }

        private FailedExecution execution(String json, int count) {
            int[] values = new int[3 * count];
            for (int i = 0; i < count; i++) {
                values[3 * i] = places[4 * i];
                values[3 * i + 1] = places[4 * i + 2];
                values[3 * i + 2] = places[4 * i + 3];
            }
            return new FailedExecution(json, Arrays.copyOf(names, count), values, out.ascii());
        }

        /**
         * An object that names a member twice: as a tree reads it, each name once, at the place of
         * its first appearance, with the value of its last.
         */
        private FailedExecution lastOfEachName(int count) {
            Map<String, Integer> last = new java.util.LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                last.put(names[i], i);
            }
            // LinkedHashMap keeps the first insertion's place and the last put's value
            StringBuilder json = new StringBuilder(text.length()).append('{');
            String[] kept = new String[last.size()];
            int[] values = new int[3 * last.size()];
            int k = 0;
            for (Map.Entry<String, Integer> member : last.entrySet()) {
                int i = member.getValue();
                if (k > 0) {
                    json.append(',');
                }
                // the name as written (after the comma the generator put before it, if any)
                int nameStart = places[4 * i + 1];
                if (text.charAt(nameStart) == ',') {
                    nameStart++;
                }
                json.append(text, nameStart, places[4 * i + 2]);
                int valueStart = json.length();
                json.append(text, places[4 * i + 2], places[4 * i + 3]);
                kept[k] = member.getKey();
                values[3 * k] = places[4 * i];
                values[3 * k + 1] = valueStart;
                values[3 * k + 2] = json.length();
                k++;
            }
            json.append('}');
            return new FailedExecution(json.toString(), kept, values);
        }

        /** Writes the value the parser is on as its tree would be written; returns its kind. */
        private int copyValue(JsonParser parser, JsonToken value) throws IOException {
            switch (value) {
                case VALUE_STRING -> {
                    generator.writeString(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                    return FailedExecution.STRING;
                }
                case VALUE_NUMBER_INT -> {
                    // as the tree keeps it: an int, a long or a BigInteger
                    switch (parser.getNumberType()) {
                        case INT -> generator.writeNumber(parser.getIntValue());
                        case LONG -> generator.writeNumber(parser.getLongValue());
                        default -> generator.writeNumber(parser.getBigIntegerValue());
                    }
                    return FailedExecution.INTEGER;
                }
                case VALUE_NUMBER_FLOAT -> {
                    // ExactJson: a BigDecimal of exactly what was sent
                    generator.writeNumber(parser.getDecimalValue());
                    return FailedExecution.DECIMAL;
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    generator.writeBoolean(value == JsonToken.VALUE_TRUE);
                    return FailedExecution.BOOLEAN;
                }
                case VALUE_NULL -> {
                    generator.writeNull();
                    return FailedExecution.NULL;
                }
                default -> {
                    // an object or array inside the execution: as Jackson reads and writes its tree
                    JsonNode node = ExecutionPageReader.JSON.readTree(parser);
                    ExecutionPageReader.JSON.writeTree(generator, node);
                    return node.isContainerNode() ? FailedExecution.CONTAINER : FailedExecution.NULL;
                }
            }
        }
    }
}
