package dev.tcjobmonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoder alone, with buffers of a few bytes: every way of writing (a String, a char array, a
 * character, known ASCII) and every place a character can fall (a surrogate pair split across two
 * writes or across the buffer's end, a lone surrogate before ASCII written as such) gives the bytes
 * of {@code String.getBytes(UTF_8)}.
 */
class Utf8LinesTest {

    private static final String[] PIECES = {"a", "json", "\u00e9", "\u20ac", "\ud83d\ude00", "\ud800", "\udc00", "\ud83d",
            "\ude00", "\n", "\u07ff", "\u0800", "\uffff", "\u007f", "\u0080"};

    @TempDir
    Path dir;

    @Test
    void anyTextWrittenAnyWayThroughAnyBufferIsItsUtf8Bytes() throws Exception {
        Random random = new Random(20261130);
        for (int round = 0; round < 300; round++) {
            int bufferSize = 4 + random.nextInt(17);
            char[] chars = new char[1 + random.nextInt(7)];
            Path file = dir.resolve("round-" + round);
            StringBuilder text = new StringBuilder();
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Utf8Lines lines = new Utf8Lines(ByteBuffer.allocate(bufferSize), chars, out);
                for (int write = 0; write < 40; write++) {
                    int kind = random.nextInt(4);
                    if (kind == 3) {
                        // ASCII only, as AlertDocument gives it, shorter or longer than the buffer
                        String ascii = "x".repeat(random.nextInt(2 * bufferSize)) + "}";
                        int from = random.nextInt(ascii.length());
                        lines.writeAscii(ascii, from, ascii.length() - from);
                        text.append(ascii, from, ascii.length());
                        continue;
                    }
                    StringBuilder piece = new StringBuilder();
                    for (int n = random.nextInt(6); n >= 0; n--) {
                        piece.append(PIECES[random.nextInt(PIECES.length)]);
                    }
                    String s = piece.toString();
                    switch (kind) {
                        case 0 -> lines.write(s);
                        case 1 -> lines.write(s.toCharArray(), 0, s.length());
                        default -> {
                            for (int i = 0; i < s.length(); i++) {
                                lines.write(s.charAt(i));
                            }
                        }
                    }
                    text.append(s);
                }
                // a line ends with its newline: nothing waits for a pair after it
                lines.write('\n');
                text.append('\n');
                lines.writeOut();
            }
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
            assertThat(Files.readAllBytes(file)).as("round %d, a buffer of %d bytes", round, bufferSize)
                    .isEqualTo(expected.toByteArray());
        }
    }
}
