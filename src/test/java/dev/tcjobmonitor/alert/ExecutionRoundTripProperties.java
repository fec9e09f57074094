package dev.tcjobmonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.threatconnect.ExecutionPage;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * What ThreatConnect sent is what the sinks get: an execution read by {@link ExecutionPageReader}
 * and rendered by {@link AlertDocument} is, apart from the added {@code monitor} member (or
 * {@code _monitor} when the execution has its own {@code monitor}), the same JSON object, in the
 * same field order, with every string and name unchanged and every number unchanged in value.
 *
 * <p>Numbers keep their exact text except in these forms, which are written back as
 * {@link BigDecimal#toString()} of the same value (so only their value is pinned, see
 * {@link #numbersThatDoNotKeepTheirTextAreRenderedAsBigDecimalToStringOfTheSameValue()}):
 * <ul>
 *   <li>any number with an exponent ({@code 1e5 -> 1E+5}, {@code 1.5e-3 -> 0.0015}); when the
 *       exponent brings the scale to exactly 0 ({@code 1.5e1 -> 15}, {@code 0e0 -> 0}) the
 *       rendered number is an integer literal, so it reads back as an integer node rather than a
 *       decimal node (equal in value, not {@code JsonNode.equals});</li>
 *   <li>negative zero ({@code -0 -> 0}, {@code -0.0 -> 0.0});</li>
 *   <li>a plain decimal whose integer part is 0 and whose fraction has at least seven digits, the
 *       first six of them 0 ({@code 0.0000001 -> 1E-7}, {@code 0.00000010 -> 1.0E-7},
 *       {@code 0.0000000 -> 0E-7}).</li>
 * </ul>
 * Plain integers of any size and all other plain decimals ({@code 1.10}, {@code 100.000},
 * {@code 0.000001}) keep their exact text.
 */
class ExecutionRoundTripProperties {

    private static final Instant DETECTED_AT = Instant.parse("2026-11-28T10:15:30.123Z");
    private static final String BASE_URL = "https://tc.example/api";
    private static final JsonFactory PLAIN = JsonFactory.builder().build();
    private static final JsonFactory ASCII = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final Pattern TINY_PLAIN_DECIMAL = Pattern.compile("-?0\\.0{6}[0-9]+");
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    // --- properties --------------------------------------------------------------------------

    @Property(tries = 400)
    void everyExecutionReachesTheSinksAsSentPlusTheMonitorMember(@ForAll("pages") List<JObj> executions,
                                                                  @ForAll boolean escapeNonAscii,
                                                                  @ForAll boolean pretty) throws IOException {
        byte[] page = page(executions, escapeNonAscii, pretty);
        ExecutionPage read = new ExecutionPageReader().read(200, new ByteArrayInputStream(page));
        assertThat(read.executions()).hasSize(executions.size());

        for (int i = 0; i < executions.size(); i++) {
            JObj model = executions.get(i);
            JsonNode original = ExecutionPageReader.JSON.readTree(json(model, escapeNonAscii, pretty));
            FailedExecution execution = read.executions().get(i);
            JsonNode node = execution.fields();
            // the fields as a tree are read back from the execution's JSON: an integer-like
            // exponent number (1.5e1, written 15) inside a nested value comes back an integer node
            assertThat(node.equals(SAME_VALUE, original)).as("same tree, numbers equal in value").isTrue();
            if (!model.hasIntegerLikeExponentNumber()) {
                assertThat(node).isEqualTo(original);
            }
            assertSameFieldOrder(node, original, "$");

            String rendered = AlertDocument.render(execution, "default", BASE_URL, DETECTED_AT);
            // byte for byte what the tree of the same execution renders (the rendering before streamed reading)
            assertThat(rendered).isEqualTo(AlertDocument.render(new FailedExecution((ObjectNode) original), "default",
                    BASE_URL, DETECTED_AT));

            // the rendered text, token by token, against what was generated (names, strings, number text)
            String added = original.has("monitor") ? "_monitor" : "monitor";
            try (JsonParser parser = ExecutionPageReader.JSON.getFactory().createParser(rendered)) {
                assertTokens(parser, model, "$", added);
                assertThat(parser.nextToken()).as("nothing after the document").isNull();
            }

            // the rendered document as a tree, against the original as a tree
            ObjectNode document = (ObjectNode) ExecutionPageReader.JSON.readTree(rendered);
            assertThat(lastFieldName(document)).as("the monitor member is appended last").isEqualTo(added);
            JsonNode about = document.remove(added);
            assertThat(about).isEqualTo(ExecutionPageReader.JSON.createObjectNode()
                    .put("instance", "default").put("baseUrl", BASE_URL).put("detectedAt", DETECTED_AT.toString()));
            assertThat(document.equals(SAME_VALUE, original)).as("same tree, numbers equal in value").isTrue();
            if (!model.hasIntegerLikeExponentNumber()) {
                assertThat(document).isEqualTo(original);
            }
            assertSameFieldOrder(document, original, "$");
        }
    }

    /**
     * An execution with its own {@code monitor} and {@code _monitor} fields: the monitor's member
     * must not replace either of them.
     */
    @Property(tries = 200)
    void executionFieldsNamedMonitorAndUnderscoreMonitorAreBothKept(@ForAll("collidingExecutions") JObj model)
            throws IOException {
        byte[] page = page(List.of(model), false, false);
        FailedExecution execution = new ExecutionPageReader().read(200, new ByteArrayInputStream(page)).executions().get(0);
        JsonNode original = ExecutionPageReader.JSON.readTree(json(model, false, false));

        String rendered = AlertDocument.render(execution, "default", BASE_URL, DETECTED_AT);
        JsonNode document = ExecutionPageReader.JSON.readTree(rendered);

        assertThat(document.size()).as("one member more than the execution").isEqualTo(original.size() + 1);
        for (Iterator<Map.Entry<String, JsonNode>> fields = original.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            assertThat(document.get(field.getKey()) != null && document.get(field.getKey()).equals(SAME_VALUE, field.getValue()))
                    .as("the execution's field %s is kept", field.getKey())
                    .isTrue();
        }
    }

    /**
     * An execution read from the page as a stream (no tree, {@code PageEnvelope}) says what the
     * tree of the same JSON says, as the monitor read every execution before: its text of every
     * field, its failure time, its key, and its alert document to the character; also when it names
     * a member twice (the last value counts, at the place of the first).
     */
    @Property(tries = 400)
    void aStreamedExecutionSaysWhatItsTreeSays(@ForAll("executionsWithRepeatedNames") JObj model,
                                               @ForAll boolean escapeNonAscii,
                                               @ForAll boolean pretty) throws IOException {
        FailedExecution streamed = new ExecutionPageReader()
                .read(200, new ByteArrayInputStream(page(List.of(model), escapeNonAscii, pretty))).executions().get(0);
        FailedExecution tree = new FailedExecution(
                (ObjectNode) ExecutionPageReader.JSON.readTree(json(model, escapeNonAscii, pretty)));

        List<String> names = new ArrayList<>(List.of("id", "jobId", "status", "failedTime", "exitMessage", "monitor",
                "_monitor", "notice", "missing"));
        model.members().forEach(member -> names.add(member.name()));
        for (String name : names) {
            assertThat(streamed.text(name)).as("text of %s", name).isEqualTo(tree.text(name));
            assertThat(streamed.instant(name)).as("instant of %s", name).isEqualTo(tree.instant(name));
            assertThat(streamed.has(name)).as("has %s", name).isEqualTo(tree.has(name));
        }
        assertThat(streamed.deliveryKey()).isEqualTo(tree.deliveryKey());
        assertThat(AlertDocument.render(streamed, "default", BASE_URL, DETECTED_AT))
                .isEqualTo(AlertDocument.render(tree, "default", BASE_URL, DETECTED_AT));
        assertThat(AlertDocument.of(streamed, AlertDocument.about("default", BASE_URL, DETECTED_AT)).text())
                .isEqualTo(AlertDocument.render(tree, "default", BASE_URL, DETECTED_AT));
        assertThat(streamed.fields().equals(SAME_VALUE, tree.fields())).isTrue();
    }

    @Provide
    Arbitrary<JObj> executionsWithRepeatedNames() {
        Arbitrary<JObj> plain = executions();
        return Combinators.combine(plain, values().list().ofMaxSize(3), Arbitraries.integers().list().ofMaxSize(3))
                .as((execution, again, places) -> {
                    List<Member> members = new ArrayList<>(execution.members());
                    for (int i = 0; i < again.size() && i < places.size() && !execution.members().isEmpty(); i++) {
                        // a name the execution already has, with another value, somewhere after or before it
                        String name = execution.members().get(Math.floorMod(places.get(i), execution.members().size())).name();
                        members.add(Math.floorMod(places.get(i) * 31, members.size() + 1), new Member(name, again.get(i)));
                    }
                    return new JObj(members);
                });
    }

    /** The forms listed in the class comment, pinned exactly. */
    @Example
    void numbersThatDoNotKeepTheirTextAreRenderedAsBigDecimalToStringOfTheSameValue() throws IOException {
        Map<String, String> renderedAs = new LinkedHashMap<>();
        renderedAs.put("1e5", "1E+5");
        renderedAs.put("1E5", "1E+5");
        renderedAs.put("1E+2", "1E+2");
        renderedAs.put("1.5e-3", "0.0015");
        renderedAs.put("2.50E+1", "25.0");
        renderedAs.put("1.5e1", "15");
        renderedAs.put("0e0", "0");
        renderedAs.put("-0", "0");
        renderedAs.put("-0.0", "0.0");
        renderedAs.put("0.0000001", "1E-7");
        renderedAs.put("0.00000010", "1.0E-7");
        renderedAs.put("0.0000000", "0E-7");
        renderedAs.put("-0.0000001", "-1E-7");
        // and these keep their text
        renderedAs.put("1.10", "1.10");
        renderedAs.put("100.000", "100.000");
        renderedAs.put("0.000001", "0.000001");
        renderedAs.put("0.000000", "0.000000");
        renderedAs.put("-12.5", "-12.5");
        renderedAs.put("123456789012345678901234567890", "123456789012345678901234567890");
        renderedAs.put("-9223372036854775809", "-9223372036854775809");
        for (Map.Entry<String, String> form : renderedAs.entrySet()) {
            JObj model = new JObj(List.of(new Member("n", new JNum(form.getKey()))));
            FailedExecution execution = new ExecutionPageReader()
                    .read(200, new ByteArrayInputStream(page(List.of(model), false, false))).executions().get(0);
            String rendered = AlertDocument.render(execution, "default", BASE_URL, DETECTED_AT);
            assertThat(rendered).as(form.getKey()).startsWith("{\"n\":" + form.getValue() + ",\"monitor\":");
            assertThat(form.getValue()).isEqualTo(new BigDecimal(form.getKey()).toString());
        }
    }

    // --- generators --------------------------------------------------------------------------

    @Provide
    Arbitrary<List<JObj>> pages() {
        return executions().filter(e -> !(e.has("monitor") && e.has("_monitor"))).list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<JObj> collidingExecutions() {
        return Combinators.combine(executions(), values(), values(), Arbitraries.of(true, false))
                .as((execution, monitor, underscore, monitorFirst) -> {
                    List<Member> members = new ArrayList<>();
                    for (Member member : execution.members()) {
                        if (!member.name().equals("monitor") && !member.name().equals("_monitor")) {
                            members.add(member);
                        }
                    }
                    Member a = new Member("monitor", monitor);
                    Member b = new Member("_monitor", underscore);
                    members.add(monitorFirst ? a : b);
                    members.add(monitorFirst ? b : a);
                    return new JObj(members);
                });
    }

    /** The usual fields, each maybe missing and maybe of an unexpected type, plus arbitrary others, in any order. */
    Arbitrary<JObj> executions() {
        Arbitrary<J> ids = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().map(n -> (J) new JNum(String.valueOf(n)))),
                Tuple.of(1, numbers()),
                Tuple.of(1, strings()),
                Tuple.of(1, leaves()));
        Arbitrary<J> statuses = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("Failed", "Completed", "Running", "failed").map(s -> (J) new JStr(s))),
                Tuple.of(1, strings()),
                Tuple.of(1, leaves()));
        Arbitrary<J> times = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(0, 4_102_444_799_999L)
                        .map(ms -> (J) new JStr(Instant.ofEpochMilli(ms).toString()))),
                Tuple.of(1, Arbitraries.of("2024-04-10T10:30:00+02:00", "2024-04-10", "", "not a time").map(s -> (J) new JStr(s))),
                Tuple.of(1, leaves()));
        Arbitrary<J> exitMessages = Arbitraries.frequencyOf(
                Tuple.of(2, strings()),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(4000).map(s -> (J) new JStr(s))),
                Tuple.of(1, Arbitraries.strings().withChars("\"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028\u2029é𝄞")
                        .ofMinLength(1000).ofMaxLength(3000).map(s -> (J) new JStr(s))),
                Tuple.of(1, values()));
        Arbitrary<List<Member>> usual = Combinators.combine(
                        maybe("id", ids), maybe("jobId", ids), maybe("status", statuses),
                        maybe("failedTime", times), maybe("exitMessage", exitMessages))
                .as((a, b, c, d, e) -> {
                    List<Member> members = new ArrayList<>();
                    for (Member member : new Member[] {a, b, c, d, e}) {
                        if (member != null) {
                            members.add(member);
                        }
                    }
                    return members;
                });
        Arbitrary<List<Member>> others = members(values()).ofMaxSize(6);
        return Combinators.combine(usual, others)
                .as((a, b) -> {
                    Map<String, Member> unique = new LinkedHashMap<>();
                    a.forEach(m -> unique.putIfAbsent(m.name(), m));
                    b.forEach(m -> unique.putIfAbsent(m.name(), m));
                    return new ArrayList<>(unique.values());
                })
                .flatMap(Arbitraries::shuffle)
                .map(JObj::new);
    }

    private static Arbitrary<Member> maybe(String name, Arbitrary<J> value) {
        return value.map(v -> new Member(name, v)).injectNull(0.2);
    }

    private static net.jqwik.api.arbitraries.ListArbitrary<Member> members(Arbitrary<J> value) {
        return Combinators.combine(names(), value).as(Member::new).list().uniqueElements(Member::name);
    }

    /** Any JSON value, nested up to three levels. */
    private static Arbitrary<J> values() {
        return Arbitraries.recursive(
                ExecutionRoundTripProperties::leaves,
                inner -> Arbitraries.frequencyOf(
                        Tuple.of(2, leaves()),
                        Tuple.of(1, members(inner).ofMaxSize(4).map(JObj::new)),
                        Tuple.of(1, inner.list().ofMaxSize(4).map(JArr::new))),
                0, 3);
    }

    private static Arbitrary<J> leaves() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, strings()),
                Tuple.of(4, numbers()),
                Tuple.of(1, Arbitraries.of(true, false).map(b -> (J) new JBool(b))),
                Tuple.of(1, Arbitraries.just((J) new JNull())));
    }

    private static Arbitrary<J> strings() {
        return text().map(s -> (J) new JStr(s));
    }

    private static Arbitrary<String> text() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().all().ofMaxLength(24)),
                Tuple.of(2, Arbitraries.strings().withCharRange('\u0000', '\u001f')
                        .withChars("\u007f\u0080\u0085\u00a0\u2028\u2029\ufeff\ufffe\uffff\"\\/'`<>&").ofMaxLength(12)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\uD7F0', '\uE00F').ofMaxLength(6)), // lone and paired surrogates
                Tuple.of(1, Arbitraries.of("", "𝄞", "👩‍💻", "é", "e\u0301", "İ", "\u0000", "null", "1e5", "{\"a\":1}", "</script>")));
    }

    private static Arbitrary<String> names() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().alpha().numeric().withChars("_").ofMinLength(1).ofMaxLength(10)),
                Tuple.of(2, text()),
                Tuple.of(2, Arbitraries.of("monitor", "_monitor", "id", "jobId", "status", "failedTime", "exitMessage",
                        "data", "next", "instance", "", " ", "\u0000", "a\"b", "a.b", "$", "__proto__")));
    }

    /** JSON number literals, each a valid JSON number text. */
    private static Arbitrary<J> numbers() {
        Arbitrary<String> integers = Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40)).map(String::valueOf),
                Arbitraries.of("0", "-0", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775808", "-9223372036854775809"));
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> integerParts = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just("0")),
                Tuple.of(3, Combinators.combine(Arbitraries.chars().range('1', '9'), digits.injectNull(0.5))
                        .as((first, rest) -> first + (rest == null ? "" : rest))));
        Arbitrary<String> fractions = Arbitraries.frequencyOf(
                Tuple.of(3, digits),
                Tuple.of(1, Combinators.combine(Arbitraries.integers().between(5, 8), digits)
                        .as((zeros, rest) -> "0".repeat(zeros) + rest)));
        Arbitrary<String> exponents = Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(3))
                .as((e, sign, n) -> e + sign + n);
        Arbitrary<String> decimals = Combinators.combine(Arbitraries.of("", "-"), integerParts, fractions.injectNull(0.3),
                        exponents.injectNull(0.6))
                .as((sign, integer, fraction, exponent) ->
                        sign + integer + (fraction == null ? "" : "." + fraction) + (exponent == null ? "" : exponent));
        Arbitrary<String> forms = Arbitraries.of("1.10", "1e5", "1E5", "-0.0", "0.0000001", "1E+2", "1e-7", "0.000000",
                "0.0000000", "1.0", "100.000", "-0.0e0", "0e0", "1.5e1", "123456789012345678901234567890.123456789",
                "1e400", "1E-400", "2.5E+10", "0.1", "-1.5");
        return Arbitraries.frequencyOf(Tuple.of(3, integers), Tuple.of(4, decimals), Tuple.of(2, forms))
                .map(literal -> (J) new JNum(literal));
    }

    // --- the model, written with Jackson's generator -------------------------------------------

    interface J {
    }

    record JStr(String value) implements J {
    }

    record JNum(String literal) implements J {
        boolean integral() {
            return literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
        }

        /** Written back exactly as received; otherwise only its value is kept (see the class comment). */
        boolean keepsText() {
            boolean negativeZero = literal.startsWith("-") && new BigDecimal(literal).signum() == 0;
            boolean exponent = literal.indexOf('e') >= 0 || literal.indexOf('E') >= 0;
            return !negativeZero && !exponent && !TINY_PLAIN_DECIMAL.matcher(literal).matches();
        }

        /** An exponent form that comes back as an integer literal, e.g. 1.5e1 as 15. */
        boolean integerLikeExponent() {
            return !integral() && new BigDecimal(literal).scale() == 0;
        }
    }

    record JBool(boolean value) implements J {
    }

    record JNull() implements J {
    }

    record JArr(List<J> items) implements J {
    }

    record Member(String name, J value) {
    }

    record JObj(List<Member> members) implements J {
        boolean has(String name) {
            return members.stream().anyMatch(m -> m.name().equals(name));
        }

        boolean hasIntegerLikeExponentNumber() {
            return containsIntegerLikeExponent(this);
        }
    }

    private static boolean containsIntegerLikeExponent(J value) {
        if (value instanceof JNum number) {
            return number.integerLikeExponent();
        }
        if (value instanceof JArr array) {
            return array.items().stream().anyMatch(ExecutionRoundTripProperties::containsIntegerLikeExponent);
        }
        if (value instanceof JObj object) {
            return object.members().stream().anyMatch(m -> containsIntegerLikeExponent(m.value()));
        }
        return false;
    }

    /** {@code {"data":[...],"status":"Success"}} */
    private static byte[] page(List<JObj> executions, boolean escapeNonAscii, boolean pretty) {
        return write(escapeNonAscii, pretty, generator -> {
            generator.writeStartObject();
            generator.writeFieldName("data");
            generator.writeStartArray();
            for (JObj execution : executions) {
                write(generator, execution);
            }
            generator.writeEndArray();
            generator.writeStringField("status", "Success");
            generator.writeEndObject();
        });
    }

    private static byte[] json(J value, boolean escapeNonAscii, boolean pretty) {
        return write(escapeNonAscii, pretty, generator -> write(generator, value));
    }

    private interface Writing {
        void to(JsonGenerator generator) throws IOException;
    }

    private static byte[] write(boolean escapeNonAscii, boolean pretty, Writing writing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = (escapeNonAscii ? ASCII : PLAIN).createGenerator(out, JsonEncoding.UTF8)) {
            if (pretty) {
                generator.useDefaultPrettyPrinter();
            }
            writing.to(generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator generator, J value) throws IOException {
        if (value instanceof JStr string) {
            generator.writeString(string.value());
        } else if (value instanceof JNum number) {
            generator.writeNumber(number.literal());
        } else if (value instanceof JBool bool) {
            generator.writeBoolean(bool.value());
        } else if (value instanceof JNull) {
            generator.writeNull();
        } else if (value instanceof JArr array) {
            generator.writeStartArray();
            for (J item : array.items()) {
                write(generator, item);
            }
            generator.writeEndArray();
        } else {
            generator.writeStartObject();
            for (Member member : ((JObj) value).members()) {
                generator.writeFieldName(member.name());
                write(generator, member.value());
            }
            generator.writeEndObject();
        }
    }

    // --- comparisons -----------------------------------------------------------------------------

    /** Walks the rendered text and the model together; {@code added} is the top-level member to skip. */
    private static void assertTokens(JsonParser parser, J model, String path, String added) throws IOException {
        JsonToken token = parser.nextToken();
        if (model instanceof JStr string) {
            expect(token, JsonToken.VALUE_STRING, path);
            if (!parser.getText().equals(string.value())) {
                fail("%s: string %s rendered as %s", show(path), show(string.value()), show(parser.getText()));
            }
        } else if (model instanceof JNum number) {
            expect(token, number.integral() || number.integerLikeExponent() ? JsonToken.VALUE_NUMBER_INT : JsonToken.VALUE_NUMBER_FLOAT,
                    path + " (" + number.literal() + ")");
            String text = parser.getText();
            boolean same = number.keepsText()
                    ? text.equals(number.literal())
                    : new BigDecimal(text).compareTo(new BigDecimal(number.literal())) == 0;
            if (!same) {
                fail("%s: number %s rendered as %s", show(path), number.literal(), text);
            }
        } else if (model instanceof JBool bool) {
            expect(token, bool.value() ? JsonToken.VALUE_TRUE : JsonToken.VALUE_FALSE, path);
        } else if (model instanceof JNull) {
            expect(token, JsonToken.VALUE_NULL, path);
        } else if (model instanceof JArr array) {
            expect(token, JsonToken.START_ARRAY, path);
            for (int i = 0; i < array.items().size(); i++) {
                assertTokens(parser, array.items().get(i), path + "[" + i + "]", null);
            }
            expect(parser.nextToken(), JsonToken.END_ARRAY, path);
        } else {
            expect(token, JsonToken.START_OBJECT, path);
            for (Member member : ((JObj) model).members()) {
                expect(parser.nextToken(), JsonToken.FIELD_NAME, path);
                if (!parser.currentName().equals(member.name())) {
                    fail("%s: field %s rendered as %s", show(path), show(member.name()), show(parser.currentName()));
                }
                assertTokens(parser, member.value(), path + "." + member.name(), null);
            }
            if (added != null) {
                expect(parser.nextToken(), JsonToken.FIELD_NAME, path);
                assertThat(parser.currentName()).as("the added member").isEqualTo(added);
                expect(parser.nextToken(), JsonToken.START_OBJECT, added);
                parser.skipChildren();
            }
            expect(parser.nextToken(), JsonToken.END_OBJECT, path);
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, String path) {
        if (actual != expected) {
            fail("%s: expected %s but the rendered document has %s", show(path), expected, actual);
        }
    }

    /** Java-escaped, so that control characters and lone surrogates are readable in failure messages. */
    private static String show(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append(c);
            } else if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }

    /** {@code JsonNode.equals} ignores the order of fields; this does not. */
    private static void assertSameFieldOrder(JsonNode actual, JsonNode expected, String path) {
        if (expected.isObject()) {
            assertThat(names(actual)).as("field order at %s", path).containsExactlyElementsOf(names(expected));
            for (String name : names(expected)) {
                assertSameFieldOrder(actual.get(name), expected.get(name), path + "." + name);
            }
        } else if (expected.isArray()) {
            assertThat(actual.size()).as(path).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertSameFieldOrder(actual.get(i), expected.get(i), path + "[" + i + "]");
            }
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String lastFieldName(JsonNode node) {
        List<String> names = names(node);
        return names.get(names.size() - 1);
    }
}
