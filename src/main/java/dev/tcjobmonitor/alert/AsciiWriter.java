package dev.tcjobmonitor.alert;

import java.io.IOException;

/**
 * A writer that takes text known to be ASCII as it is, one byte per character, without looking at
 * each character: the file sink writes most of a page's documents so (see
 * {@link FailedExecution#asciiJson()}), where encoding them character by character was a third of a
 * big backfill's CPU.
 */
public interface AsciiWriter {

    /** Writes {@code text[offset, offset + length)}, which holds ASCII characters only. */
    void writeAscii(String text, int offset, int length) throws IOException;
}
