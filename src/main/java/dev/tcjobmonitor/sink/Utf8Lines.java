package dev.tcjobmonitor.sink;

import dev.tcjobmonitor.alert.AsciiWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Characters to UTF-8 in the buffer, written to the channel whenever the buffer is full. The
 * bytes are those of {@code String.getBytes(UTF_8)} of the same characters: a surrogate pair
 * is one 4-byte character, a surrogate without its pair is written as '?'.
 */
final class Utf8Lines extends Writer implements AsciiWriter {

    private final ByteBuffer buffer;
    private final byte[] bytes;
    private final FileChannel out;
    /** A document's characters on their way to the buffer (see write(String, int, int)). */
    private final char[] chars;
    private int position;
    /** A high surrogate whose low one may come with the next write, or 0. */
    private char high;

    Utf8Lines(ByteBuffer buffer, char[] chars, FileChannel out) {
        this.buffer = buffer;
        this.chars = chars;
        this.bytes = buffer.array();
        this.out = out;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            // a run of ASCII straight into the buffer, without a call per character (most of
            // a document is ASCII); anything else, and a surrogate's pair, through put
            if (high == 0) {
                byte[] into = bytes;
                int at = position;
                int stop = Math.min(end, i + (into.length - at));
                char c;
                while (i < stop && (c = chars[i]) < 0x80) {
                    into[at++] = (byte) c;
                    i++;
                }
                position = at;
                if (i == end) {
                    return;
                }
                if (at == into.length) {
                    writeOut();
                    continue;
                }
            }
            put(chars[i++]);
        }
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        // through a char array in slices: String.getChars copies in bulk, where charAt checks
        // each index (the per-character path was a third of a 500,000-failure backfill's CPU)
        for (int end = offset + length; offset < end; ) {
            int slice = Math.min(end - offset, this.chars.length);
            text.getChars(offset, offset + slice, this.chars, 0);
            write(this.chars, 0, slice);
            offset += slice;
        }
    }

    /**
     * ASCII text: its bytes are its characters, copied at once from the String's own (deprecated
     * String.getBytes(int, int, byte[], int): it keeps the low byte of each character, exactly
     * the UTF-8 of an ASCII one, and is one array copy for a Latin-1 String).
     */
    @Override
    @SuppressWarnings("deprecation")
    public void writeAscii(String text, int offset, int length) throws IOException {
        if (high != 0 || length > bytes.length) {
            write(text, offset, length);
            return;
        }
        if (bytes.length - position < length) {
            writeOut();
        }
        text.getBytes(offset, offset + length, bytes, position);
        position += length;
    }

    @Override
    public void write(String text) throws IOException {
        write(text, 0, text.length());
    }

    @Override
    public void write(int c) throws IOException {
        put((char) c);
    }

    private void put(char c) throws IOException {
        if (bytes.length - position < 4) {
            writeOut();
        }
        if (high != 0) {
            char pending = high;
            high = 0;
            if (Character.isLowSurrogate(c)) {
                int codePoint = Character.toCodePoint(pending, c);
                bytes[position++] = (byte) (0xF0 | codePoint >> 18);
                bytes[position++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
                bytes[position++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
                bytes[position++] = (byte) (0x80 | codePoint & 0x3F);
                return;
            }
            bytes[position++] = '?';
            if (bytes.length - position < 3) {
                writeOut();
            }
        }
        if (c < 0x80) {
            bytes[position++] = (byte) c;
        } else if (c < 0x800) {
            bytes[position++] = (byte) (0xC0 | c >> 6);
            bytes[position++] = (byte) (0x80 | c & 0x3F);
        } else if (Character.isHighSurrogate(c)) {
            high = c;
        } else if (Character.isLowSurrogate(c)) {
            bytes[position++] = '?';
        } else {
            bytes[position++] = (byte) (0xE0 | c >> 12);
            bytes[position++] = (byte) (0x80 | c >> 6 & 0x3F);
            bytes[position++] = (byte) (0x80 | c & 0x3F);
        }
    }

    /** The buffer's bytes to the channel (a surrogate still waiting for its pair stays). */
    void writeOut() throws IOException {
        buffer.clear().limit(position);
        JsonLinesFile.writeFully(buffer, out);
        buffer.clear();
        position = 0;
    }

    @Override
    public void flush() {
        // the batch writes the buffer out itself, once it is full or the batch is over
    }

    @Override
    public void close() {
        // the channel is the file sink's
    }
}
