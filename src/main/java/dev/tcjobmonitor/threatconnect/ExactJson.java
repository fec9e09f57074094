package dev.tcjobmonitor.threatconnect;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The JSON mapper of ThreatConnect's pages (the poll's camel-jackson {@code unmarshal} uses it):
 * numbers keep their value exactly (no double rounding), so what ThreatConnect sent is what
 * sinks get: integers and plain decimals such as 1.10 also keep their text; exponent forms such
 * as 1e5 come out as BigDecimal writes them (1E+5).
 */
public class ExactJson extends ObjectMapper {

    private static final long serialVersionUID = 1L;

    @SuppressWarnings("deprecation") // withExactBigDecimals: still the one switch that keeps 1.10 as 1.10
    public ExactJson() {
        enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    }
}
