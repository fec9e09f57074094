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
