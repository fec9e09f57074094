package dev.tcjobmonitor.state;

/**
 * How the cluster's connections to its PostgreSQL are made, by our state store's pool and by
 * Quartz's job store alike: with a connect timeout and a socket timeout, so a database that stops
 * answering (packets dropped, a query that never returns) fails the query within
 * {@code monitor.cluster.socket-timeout-ms} instead of holding a poll, a check-in or a health check
 * until the operating system gives the connection up (about 15 minutes). pgjdbc counts both in whole
 * seconds: a value is rounded up to the next second.
 */
public final class ClusterDatabase {

    private ClusterDatabase() {
    }

    /**
     * {@code jdbcUrl} with pgjdbc's {@code connectTimeout}, {@code socketTimeout} and
     * {@code loginTimeout}; a parameter the URL sets already is kept as the operator wrote it.
     */
    public static String withTimeouts(String jdbcUrl, long connectTimeoutMillis, long socketTimeoutMillis) {
        requirePositive("monitor.cluster.connect-timeout-ms", connectTimeoutMillis);
        requirePositive("monitor.cluster.socket-timeout-ms", socketTimeoutMillis);
        StringBuilder url = new StringBuilder(jdbcUrl);
        append(url, "connectTimeout", seconds(connectTimeoutMillis));
        append(url, "loginTimeout", seconds(connectTimeoutMillis + socketTimeoutMillis));
        append(url, "socketTimeout", seconds(socketTimeoutMillis));
        return url.toString();
    }

    /**
     * Where the database is, as an operator may read it in a log line: the URL's {@code host:port}
     * (each of them, for a URL that lists several), never its database, user, password or other
     * parameters. pgjdbc's default port 5432 when the URL names none.
     */
    public static String address(String jdbcUrl) {
        String rest = jdbcUrl == null ? "" : jdbcUrl;
        int start = rest.indexOf("//");
        if (start < 0) {
            // jdbc:postgresql:database is pgjdbc's short form for the local server
            return "localhost:5432";
        }
        rest = rest.substring(start + 2);
        int end = rest.length();
        for (char stop : new char[] {'/', '?', '#'}) {
            int at = rest.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        rest = rest.substring(rest.lastIndexOf('@', end) + 1, end);
        StringBuilder hosts = new StringBuilder();
        for (String host : rest.split(",")) {
            if (hosts.length() > 0) {
                hosts.append(',');
            }
            boolean hasPort = host.startsWith("[") ? host.contains("]:") : host.contains(":");
            hosts.append(host).append(hasPort ? "" : ":5432");
        }
        return hosts.toString();
    }

    /**
     * Whether {@code failure} says the database could not be reached for now (down, restarting,
     * starting up, out of connections, the network), which passes by itself, rather than that it
     * answered and refused the settings (a wrong password or user: SQLSTATE class 28; a database
     * that does not exist: 3D000; no password where one is needed: 08004), which a restart does not
     * mend.
     */
    public static boolean unreachable(Throwable failure) {
        boolean unreachable = false;
        boolean belowSql = false;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof java.sql.SQLException sql) {
                belowSql = true;
                String state = sql.getSQLState() == null ? "" : sql.getSQLState();
                if (state.startsWith("28") || state.startsWith("3D") || state.equals("08004")) {
                    return false;
                }
                // 08001, 08006, 08003: cannot connect, connection lost; 57P01-03: shut down or
                // starting up; 53300: too many connections
                unreachable |= state.equals("08001") || state.equals("08006") || state.equals("08003")
                        || state.startsWith("57P0") || state.equals("53300");
            }
            // a network failure on the way to the database (not, say, a port the node cannot bind)
            unreachable |= belowSql && (cause instanceof java.net.SocketException
                    || cause instanceof java.net.UnknownHostException || cause instanceof java.net.SocketTimeoutException);
        }
        return unreachable;
    }

    private static void requirePositive(String setting, long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("invalid setting " + setting + ": " + millis
                    + " is not a positive number of milliseconds");
        }
    }

    private static long seconds(long millis) {
        return (millis + 999) / 1000;
    }

    private static void append(StringBuilder url, String parameter, long value) {
        int query = url.indexOf("?");
        if (query >= 0 && ("&" + url.substring(query + 1)).contains("&" + parameter + "=")) {
            return;
        }
        url.append(query >= 0 ? '&' : '?').append(parameter).append('=').append(value);
    }
}
