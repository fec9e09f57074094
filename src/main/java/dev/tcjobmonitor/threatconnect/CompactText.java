package dev.tcjobmonitor.threatconnect;

import java.io.Writer;

/**
 * Where {@link PageEnvelope} has Jackson write an execution's compact JSON: the text, and whether
 * every character of it is ASCII (then a sink may copy it byte for byte, see
 * {@code FailedExecution#asciiJson}).
 */
final class CompactText extends Writer {

    private final StringBuilder text = new StringBuilder(1024);
    /** Every character written, OR-ed together: below 0x80 while the text is ASCII. */
    private int bits;

    StringBuilder text() {
        return text;
    }

    boolean ascii() {
        return bits < 0x80;
    }

    void clear() {
        text.setLength(0);
        bits = 0;
    }

    @Override
    public void write(char[] chars, int offset, int length) {
        text.append(chars, offset, length);
        for (int i = offset, end = offset + length; i < end; i++) {
            bits |= chars[i];
        }
    }

    @Override
    public void write(String chars, int offset, int length) {
        text.append(chars, offset, offset + length);
        for (int i = offset, end = offset + length; i < end; i++) {
            bits |= chars.charAt(i);
        }
    }

    @Override
    public void flush() {
        // the copier reads the text itself
    }

    @Override
    public void close() {
        // nothing to close
    }
}
