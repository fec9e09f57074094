package dev.tcjobmonitor.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Query strings as the simulated instance reads them and writes its {@code next} links. */
final class QueryStrings {

    private QueryStrings() {
    }

    /** The decoded name/value pairs of a raw query string. */
    static Map<String, String> parse(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(name, value);
            }
        }
        return query;
    }

    /**
     * A query value as the reference's encoded example writes it ({@code
     * tql=completedTime%20%3E%20%22NOW()%20-%201%20HOUR%22}): spaces as {@code %20}, and {@code ( ) ! * '}
     * left as they are, as JavaScript's encodeURIComponent does. The monitor encodes those too; a
     * {@code next} link must be signed and sent exactly as it came, whatever the instance chose.
     */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.!~*'()".indexOf(c) >= 0;
            if (keep) {
                out.append(c);
            } else {
                out.append(String.format("%%%02X", b & 0xFF));
            }
        }
        return out.toString();
    }
}
