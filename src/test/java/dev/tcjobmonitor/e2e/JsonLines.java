package dev.tcjobmonitor.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reading the file sink's JSON lines as a test must: torn, glued or garbled lines included. */
final class JsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    /**
     * The JSON documents of one line, as far as they parse: two documents glued on one line are two,
     * and a line that stops parsing ends with a null node (a bad line the test counts).
     */
    static List<JsonNode> documents(String line) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(line)) {
            while (values.hasNextValue()) {
                documents.add(values.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            documents.add(JSON.nullNode());
        }
        return documents;
    }
}
