package dev.tcjobmonitor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone process's stdout and stderr with the value of every secret setting replaced by
 * {@value #MASK}, whichever library writes it and at whatever level. At DEBUG, Camel's core and
 * Apache HttpClient write endpoint URIs and request lines as they are, a chat webhook's secret path
 * included, from a dozen loggers (DefaultComponent, AbstractCamelContext, DefaultErrorHandler,
 * SendProcessor, HttpProducer, MainClientExec...): keeping each of them off DEBUG would lose the
 * lines an operator turns DEBUG on for, and miss the next one. What is hidden is taken from the
 * settings (secrets reach the process only through settings), see {@link #secretsOf}.
 * <p>
 * A secret is only hidden as written: what is computed from one (an HMAC signature, an HTTP Basic
 * header) stays out of the output because the loggers that print Authorization headers are kept at
 * INFO (tc-job-monitor-logging.properties).
 */
final class OutputMask {

    static final String MASK = "xxxxxx";
    /**
     * Shorter values are not hidden: they are more likely words than secrets, and a test's
     * {@code TC_API_TOKEN=token} turned every "token" of the output into xxxxxx, setting names included.
     */
    static final int MIN_LENGTH = 8;

    /** A setting whose name has one of these words holds a secret. */
    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i)password|passwd|passphrase|secret|token|jaas|credential|api.?key|private.?key");
    /** A URI query parameter whose name has one of these words holds a secret (e.g. Azure's sig= and code=). */
    private static final Pattern SECRET_PARAMETER =
            Pattern.compile("(?i)password|passwd|passphrase|secret|token|key|sig|signature|code|credential");
    /** In a JAAS configuration: password="..." and the like. */
    private static final Pattern QUOTED_SECRET =
            Pattern.compile("(?i)\\b[\\w.-]*(?:password|secret|token)[\\w.-]*\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern URL = Pattern.compile(
            "\\b[A-Za-z][A-Za-z0-9+.-]*://(?:([^/?#\\s]*)@)?[^/?#\\s@]+(/[^?#\\s]*)?(?:\\?([^#\\s]*))?");

    private final Charset charset;
    private volatile List<byte[]> hidden = List.of();

    OutputMask(Charset charset) {
        this.charset = charset;
    }

    /** Hides these values too from now on (those shorter than {@link #MIN_LENGTH} excepted). */
    synchronized void hide(Set<String> secrets) {
        Set<String> all = new LinkedHashSet<>();
        hidden.forEach(bytes -> all.add(new String(bytes, charset)));
        secrets.stream().filter(secret -> secret != null && secret.length() >= MIN_LENGTH).forEach(all::add);
        List<byte[]> longestFirst = new ArrayList<>();
        all.stream().sorted(Comparator.comparingInt(String::length).reversed()).forEach(secret -> longestFirst.add(secret.getBytes(charset)));
        hidden = List.copyOf(longestFirst);
    }

    /**
     * The secrets among settings given as name and value, a name either as written in a properties
     * file ({@code tc.secret-key}) or as an environment variable ({@code TC_SECRET_KEY}):
     * <ul>
     * <li>the value of a setting whose name says it is secret (secret, password, token, JAAS...),
     * and in a JAAS configuration each quoted {@code password="..."};
     * <li>of a sink's URL ({@code sink.custom.uri}, {@code sink.slack.webhook-url}, any {@code sink.*}
     * value that is a URL): its path, where Slack and Teams put a webhook's secret;
     * <li>of any URL: its user info, and each query parameter whose name says it is secret
     * ({@code authPassword=}, {@code token=}, Azure's {@code sig=} and {@code code=}).
     * </ul>
     */
    static Set<String> secretsOf(Map<String, String> settings) {
        Set<String> secrets = new LinkedHashSet<>();
        settings.forEach((name, value) -> {
            if (name == null || value == null || value.isBlank() || value.contains("{{")) {
                return; // a placeholder: its own setting holds the value
            }
            if (SECRET_NAME.matcher(name).find()) {
                secrets.add(value);
                Matcher quoted = QUOTED_SECRET.matcher(value);
                while (quoted.find()) {
                    secrets.add(quoted.group(1));
                }
            }
            boolean sink = name.toLowerCase(Locale.ROOT).startsWith("sink");
            Matcher url = URL.matcher(value);
            while (url.find()) {
                secretsOfUrl(url, sink, secrets);
            }
        });
        return secrets;
    }

    /** User info and secret query parameters of any URL; the path too of a sink's. */
    private static void secretsOfUrl(Matcher url, boolean sink, Set<String> secrets) {
        String userInfo = url.group(1);
        if (userInfo != null) {
            secrets.add(userInfo);
            secrets.add(userInfo.substring(userInfo.indexOf(':') + 1));
        }
        String path = url.group(2);
        if (sink && path != null && path.length() > 1) {
            secrets.add(path);
        }
        String query = url.group(3);
        if (query != null) {
            for (String parameter : query.split("&")) {
                int equals = parameter.indexOf('=');
                if (equals > 0 && SECRET_PARAMETER.matcher(parameter.substring(0, equals)).find()) {
                    String value = parameter.substring(equals + 1);
                    if (value.startsWith("RAW(") && value.endsWith(")")) {
                        value = value.substring(4, value.length() - 1);
                    }
                    secrets.add(value);
                }
            }
        }
    }

    /** {@code out}, written a line at a time, each with every hidden value replaced by {@value #MASK}. */
    OutputStream filter(OutputStream out) {
        return new MaskingStream(out);
    }

    byte[] mask(byte[] line, int length) {
        List<byte[]> secrets = hidden;
        byte[] text = java.util.Arrays.copyOf(line, length);
        for (byte[] secret : secrets) {
            text = replace(text, secret, MASK.getBytes(charset));
        }
        return text;
    }

    private static byte[] replace(byte[] text, byte[] secret, byte[] mask) {
        int at = indexOf(text, secret, 0);
        if (at < 0) {
            return text;
        }
        ByteArrayOutputStream replaced = new ByteArrayOutputStream(text.length);
        int from = 0;
        while (at >= 0) {
            replaced.write(text, from, at - from);
            replaced.writeBytes(mask);
            from = at + secret.length;
            at = indexOf(text, secret, from);
        }
        replaced.write(text, from, text.length - from);
        return replaced.toByteArray();
    }

    private static int indexOf(byte[] text, byte[] secret, int from) {
        outer:
        for (int i = from; i <= text.length - secret.length; i++) {
            for (int j = 0; j < secret.length; j++) {
                if (text[i + j] != secret[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Holds what is written until the end of its line, so that a secret written in pieces is whole
     * when it is looked for: a PrintStream hands on a long line in chunks of 8 KiB, and flushes
     * after each. A flush therefore writes complete lines only; a line without its line break is
     * written once it is {@link #LONGEST_LINE} long, or when the stream is closed (everything the
     * process prints ends with one).
     */
    private final class MaskingStream extends OutputStream {

        private static final int LONGEST_LINE = 1 << 20;

        private final OutputStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        MaskingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            line.write(b);
            if (b == '\n' || line.size() >= LONGEST_LINE) {
                emit();
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            int start = offset;
            for (int i = offset; i < offset + length; i++) {
                if (bytes[i] == '\n') {
                    line.write(bytes, start, i + 1 - start);
                    emit();
                    start = i + 1;
                }
            }
            line.write(bytes, start, offset + length - start);
            if (line.size() >= LONGEST_LINE) {
                emit();
            }
        }

        private void emit() throws IOException {
            if (line.size() > 0) {
                out.write(mask(line.toByteArray(), line.size()));
                line.reset();
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            emit();
            out.close();
        }
    }
}
