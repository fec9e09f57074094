package dev.tcjobmonitor.monitor;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * A job id as ThreatConnect sends it, read as an integer. One reading for the filters, silences,
 * repeats and recoveries alike: {@code 174}, {@code " 174 "}, {@code 174.0} and {@code 1.74E2}
 * are job 174; anything else (a fraction, text, a number past a long) is no job id.
 */
final class JobIds {

    /** Plain digits up to this length fit a long whatever they are. */
    private static final int PLAIN_DIGITS = 18;

    private JobIds() {
    }

    static Optional<Long> parse(String text) {
        String id = text.strip();
        // the usual form, read without a BigDecimal: this runs for every failure of a page
        if (!id.isEmpty() && id.length() <= PLAIN_DIGITS) {
            long value = 0;
            int i = 0;
            while (i < id.length() && id.charAt(i) >= '0' && id.charAt(i) <= '9') {
                value = value * 10 + (id.charAt(i) - '0');
                i++;
            }
            if (i == id.length()) {
                return Optional.of(value);
            }
        }
        try {
            return Optional.of(new BigDecimal(id).longValueExact());
        } catch (NumberFormatException | ArithmeticException notAnInteger) {
            return Optional.empty();
        }
    }
}
