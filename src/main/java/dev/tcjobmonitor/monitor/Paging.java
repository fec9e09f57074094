package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.threatconnect.ApiEndpoint;
import java.net.URI;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps one {@link Poll}'s place in ThreatConnect's paging: the next page to fetch, the pages asked
 * for (a next link back to one of them is a loop), the pages and executions read, and the failed
 * attempts at the page being fetched.
 */
public final class Paging {

    private URI nextPage;
    private int pages;
    private int executions;
    /** The pages this poll asked for (raw path and query): a next link back to one of them is a loop. */
    private final Set<String> requested = new HashSet<>();
    // failed attempts at the page being fetched
    private int attempts;
    private String gaveUp;

    Paging(URI firstPage) {
        this.nextPage = firstPage;
        if (firstPage != null) {
            requested.add(ApiEndpoint.pathAndQuery(firstPage));
        }
    }

    /** Whether a next page is left to fetch (whatever became of the poll). */
    boolean hasNext() {
        return nextPage != null;
    }

    URI nextPage() {
        return nextPage;
    }

    /** A page was read: the next one's attempts begin. */
    void pageRead(int executionsOnPage, URI next) {
        pages++;
        executions += executionsOnPage;
        nextPage = next;
        attempts = 0;
    }

    /** False when this poll already asked for {@code page}: the server's paging goes round in a circle. */
    boolean firstRequestOf(URI page) {
        return requested.add(ApiEndpoint.pathAndQuery(page));
    }

    /** An attempt at the page failed transiently and is tried again. */
    int attemptFailed() {
        return ++attempts;
    }

    int attempts() {
        return attempts;
    }

    /** The page is not retried (again): why the poll fails. */
    void giveUp(String reason) {
        gaveUp = reason;
    }

    Optional<String> gaveUp() {
        return Optional.ofNullable(gaveUp);
    }

    public int pages() {
        return pages;
    }

    public int executions() {
        return executions;
    }
}
