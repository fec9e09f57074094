package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.threatconnect.ApiEndpoint;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One poll in progress: its window, the next page to fetch, and its counters. Lives in the
 * exchange property {@link MonitorConstants#POLL}; the split's sub-exchanges share it.
 */
public final class Poll {

    private final JobMonitor monitor;
    private final Instant windowStart;
    /** This host's clock when the window was opened. */
    private final Instant openedAt;
    /** The window's end: {@link #openedAt}, or earlier when ThreatConnect's own time says so ({@link ServerClock}). */
    private volatile Instant windowEnd;
    /** This host's clock minus ThreatConnect's, as last measured in this poll, and whether that is beyond the limit. */
    private volatile Duration clockSkew;
    private volatile boolean clockSkewBeyondLimit;
    /** When the poll began: the fire that started it, so a watermark read that hangs counts too. */
    private final long startNanos;
    private URI nextPage;
    private int pages;
    private int executions;
    private int failures;
    private int newFailures;
    /** Delivered ids of failures before this may be forgotten (the state store's); null: none was. */
    private Instant forgottenBefore;
    private int uncheckedFailures;
    /** Per sink, the failures of the window it lacked: each must end delivered or dead-lettered for the window to close. */
    private final Map<String, Integer> owedBySink = new TreeMap<>();
    private final Map<String, Integer> deliveredBySink = new TreeMap<>();
    /** Per sink, the failures a silence hid from it (recorded as delivered, never sent). */
    private final Map<String, Integer> silencedBySink = new TreeMap<>();
    private final Map<String, Integer> deadLetteredBySink = new TreeMap<>();
    private final Map<String, Integer> undeliveredBySink = new TreeMap<>();
    /** Of the dead-lettered, those refused for good ({@link SinkErrors}), not for too long. */
    private final Map<String, Integer> refusedForGoodBySink = new TreeMap<>();
    /** The sinks that refused an alert in a way that may pass: offered nothing more in this poll. */
    private final Set<String> refusingSinks = new HashSet<>();
    /** Per sink, why it refused what stays pending (the first such refusal of the poll). */
    private final Map<String, String> lastErrorBySink = new TreeMap<>();
    /** Per sink, why what it refused for good went to its dead letter, and why what it refused for too long did. */
    private final Map<String, String> refusedForGoodErrorBySink = new TreeMap<>();
    private final Map<String, String> expiredErrorBySink = new TreeMap<>();
    /** The failures of the page being read that have reached direct:tc-sinks, for the sinks to take together. */
    private List<Alert> page = new ArrayList<>();
    /** Per sink that sends a poll's failures together at its end (the email digest), those it gathered so far. */
    private final Map<String, List<Alert>> gatheredBySink = new TreeMap<>();
    /** Per job, the latest failure this poll found: a job that failed after it completed has not recovered. */
    private final Map<Long, Instant> lastFailureByJob = new java.util.HashMap<>();
    private String failure;
    private boolean finished;
    /** The pages this poll asked for (raw path and query): a next link back to one of them is a loop. */
    private final Set<String> requested = new HashSet<>();
    // failed attempts at the page being fetched
    private int attempts;
    private String gaveUp;

    /** In a replay of a dead letter ({@link StateCommands}), the keys its sink accepted; null in a poll. */
    private Set<String> replayAccepted;

    private final boolean movesWatermark;
    /** The monitor began to stop while this poll was reading: it read no further page. */
    private volatile boolean cutShortByStop;
    private boolean skipped;

    Poll(JobMonitor monitor, Instant windowStart, Instant windowEnd, URI firstPage) {
        this(monitor, windowStart, windowEnd, firstPage, true, Duration.ZERO);
    }

    /** @param alreadyElapsed how long ago the poll began (its exchange was created) */
    Poll(JobMonitor monitor, Instant windowStart, Instant windowEnd, URI firstPage, boolean movesWatermark,
            Duration alreadyElapsed) {
        this.startNanos = System.nanoTime() - alreadyElapsed.toNanos();
        this.movesWatermark = movesWatermark;
        this.monitor = monitor;
        this.windowStart = windowStart;
        this.openedAt = windowEnd;
        this.windowEnd = windowEnd;
        this.nextPage = firstPage;
        if (firstPage != null) {
            requested.add(ApiEndpoint.pathAndQuery(firstPage));
        }
    }

    /**
     * Not a poll: dead-lettered alerts sent to their sink again ({@link StateCommands}). No window,
     * no watermark; the sink's route treats them as a page's, but nothing it refuses is recorded
     * (they stay in the dead letter), and the keys it accepts are noted here.
     */
    static Poll replay(JobMonitor monitor, Instant now) {
        Poll poll = new Poll(monitor, now, now, null, false, Duration.ZERO);
        poll.replayAccepted = new HashSet<>();
        return poll;
    }

    boolean isReplay() {
        return replayAccepted != null;
    }

    synchronized void replayAccepted(List<Alert> alerts) {
        alerts.forEach(alert -> replayAccepted.add(alert.key()));
    }

    /** In a replay: the keys of the alerts the sink accepted. */
    synchronized Set<String> replayAcceptedKeys() {
        return Set.copyOf(replayAccepted);
    }

    public JobMonitor monitor() {
        return monitor;
    }

    public Instant windowStart() {
        return windowStart;
    }

    /**
     * When this poll started, by this host's clock, but never past ThreatConnect's own time (plus
     * {@link ServerClock#TOLERANCE}); becomes the watermark once every failure is delivered.
     */
    public Instant windowEnd() {
        return windowEnd;
    }

    /** When the window was opened, by this host's clock (what health measures a poll's age from). */
    public Instant openedAt() {
        return openedAt;
    }

    /** ThreatConnect's time says it is no later than {@code latest}: the window ends there at the latest. */
    void endNoLaterThan(Instant latest) {
        if (windowEnd != null && windowEnd.isAfter(latest)) {
            windowEnd = latest;
        }
    }

    void clockSkew(Duration skew, boolean beyondLimit) {
        clockSkew = skew;
        clockSkewBeyondLimit = beyondLimit;
    }

    /** This host's clock minus ThreatConnect's, when an answer of this poll told ThreatConnect's time. */
    public Optional<Duration> clockSkew() {
        return Optional.ofNullable(clockSkew);
    }

    /** Whether {@link #clockSkew()} is more than half of {@code monitor.overlap}. */
    boolean clockSkewBeyondLimit() {
        return clockSkewBeyondLimit;
    }

    /**
     * False for a dry run, for a backfill that starts after the usual window, and for a poll the
     * monitor's stop cut short (the rest of its window is read by the next poll).
     */
    public boolean movesWatermark() {
        return movesWatermark && !cutShortByStop;
    }

    /** The monitor is stopping: this poll reads no further page and leaves the watermark where it was. */
    void cutShortByStop() {
        cutShortByStop = true;
    }

    public boolean wasCutShortByStop() {
        return cutShortByStop;
    }

    /** Another process was polling the monitor when this (daemon's) poll began: it reads nothing and records nothing. */
    void skip() {
        skipped = true;
    }

    public boolean skipped() {
        return skipped;
    }

    public boolean hasMorePages() {
        return nextPage != null && failure == null;
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

    /** The state store may have forgotten deliveries of failures before {@code instant} (empty: of none). */
    void deliveredIdsForgottenBefore(Optional<Instant> instant) {
        forgottenBefore = instant.orElse(null);
    }

    /**
     * Whether a failure at {@code failedAt} is older than what the delivered ids still know: that
     * no sink has it recorded does not tell whether it was sent.
     */
    boolean beforeDeliveredIds(Instant failedAt) {
        return forgottenBefore != null && failedAt.isBefore(forgottenBefore);
    }

    Optional<Instant> forgottenBefore() {
        return Optional.ofNullable(forgottenBefore);
    }

    /** A failure some sink lacks that failed before the delivered ids' memory: sent, unchecked. */
    synchronized void unchecked() {
        uncheckedFailures++;
    }

    /**
     * The failures of the window that some sink had no record of although they failed before its
     * delivered ids may have been forgotten (a backfill reaching past monitor.delivered-retention):
     * they went to those sinks without a check whether they had them already.
     */
    public synchronized int uncheckedFailures() {
        return uncheckedFailures;
    }

    void failuresSeen(int all, int notEverywhereYet) {
        failures += all;
        newFailures += notEverywhereYet;
    }

    synchronized void jobFailed(long jobId, Instant failedAt) {
        lastFailureByJob.merge(jobId, failedAt, (known, found) -> found.isAfter(known) ? found : known);
    }

    /** The latest failure of the job this poll found, if it found one. */
    synchronized Optional<Instant> lastFailureOf(long jobId) {
        return Optional.ofNullable(lastFailureByJob.get(jobId));
    }

    /** These sinks lack this failure of the window: each owes it (delivered or dead-lettered) before the window closes. */
    synchronized void owed(Iterable<String> sinks) {
        owed(sinks, 1);
    }

    /** {@code count} failures of the window that these sinks lack. */
    synchronized void owed(Iterable<String> sinks, int count) {
        for (String sink : sinks) {
            owedBySink.merge(sink, count, Integer::sum);
        }
    }

    /** A failure the monitor's route passed on to its sinks joins the page they take together (once). */
    synchronized void addToPage(Alert alert) {
        if (page.stream().noneMatch(onPage -> onPage.key().equals(alert.key()))) {
            page.add(alert);
        }
    }

    /**
     * The failures passed on since the last take. Those of {@code offered} that the route dropped
     * are owed by no sink: what an operator's route filters out does not keep the window open.
     */
    synchronized List<Alert> takePage(List<Alert> offered) {
        Set<String> kept = new HashSet<>();
        page.forEach(alert -> kept.add(alert.key()));
        for (Alert alert : offered) {
            if (!alert.isNotice() && !kept.contains(alert.key())) {
                alert.pendingSinks().forEach(sink -> owedBySink.merge(sink, -1, Integer::sum));
            }
        }
        List<Alert> taken = page;
        page = new ArrayList<>();
        return taken;
    }

    /**
     * For a sink that sends the poll's failures together once the poll has read its last page (the
     * email digest): keeps these with those it gathered from the earlier pages. They stay owed by
     * that sink until it delivers or refuses them.
     */
    public synchronized void gather(String sink, List<Alert> alerts) {
        if (!alerts.isEmpty()) {
            gatheredBySink.computeIfAbsent(sink, name -> new ArrayList<>()).addAll(alerts);
        }
    }

    /** How many failures {@code sink} has gathered and not taken yet. */
    public synchronized int gathered(String sink) {
        List<Alert> gathered = gatheredBySink.get(sink);
        return gathered == null ? 0 : gathered.size();
    }

    /** What {@code sink} gathered over the poll, in the order it came; it now has to deliver them. */
    public synchronized List<Alert> takeGathered(String sink) {
        List<Alert> gathered = gatheredBySink.remove(sink);
        return gathered == null ? List.of() : gathered;
    }

    /** The sinks holding gathered failures: the poll's last batch goes to them even when it has nothing for them. */
    synchronized Set<String> gatheringSinks() {
        return Set.copyOf(gatheredBySink.keySet());
    }

    /**
     * Per sink, the failures of this poll a repeat interval held for a job's next reminder, by job
     * id: how many, and when the reminder is due.
     */
    private final Map<String, Map<String, HeldRepeats>> heldBySink = new TreeMap<>();

    /** Failures of one job held in this poll, and when their reminder is due (the poll on or after it sends it). */
    public record HeldRepeats(int count, Instant reminderDue) {
    }

    synchronized void held(String sink, String job, Instant reminderDue) {
        heldBySink.computeIfAbsent(sink, s -> new TreeMap<>())
                .merge(job, new HeldRepeats(1, reminderDue), (a, b) -> new HeldRepeats(a.count() + 1, b.reminderDue()));
    }

    /** The failures of this poll {@code sink} held for reminders, by job id. */
    public synchronized Map<String, HeldRepeats> heldFor(String sink) {
        return Map.copyOf(heldBySink.getOrDefault(sink, Map.of()));
    }

    /** Per sink, how many failures of this poll it held for reminders. */
    public synchronized Map<String, Integer> heldBySink() {
        Map<String, Integer> counts = new TreeMap<>();
        heldBySink.forEach((sink, jobs) -> counts.put(sink, jobs.values().stream().mapToInt(HeldRepeats::count).sum()));
        return counts;
    }

    synchronized void silenced(String sink, int count) {
        silencedBySink.merge(sink, count, Integer::sum);
    }

    /** Per sink, the failures of this poll a silence hid from it. */
    public synchronized Map<String, Integer> silencedBySink() {
        return Map.copyOf(silencedBySink);
    }

    synchronized void delivered(String sink, int count) {
        deliveredBySink.merge(sink, count, Integer::sum);
    }

    /**
     * {@code count} alerts went to the sink's dead letter: refused for good (at once), or refused
     * for longer than {@code monitor.dead-letter-after} since their first refusal.
     */
    synchronized void deadLettered(String sink, int count, String error, boolean forGood) {
        deadLetteredBySink.merge(sink, count, Integer::sum);
        if (forGood) {
            refusedForGoodBySink.merge(sink, count, Integer::sum);
            refusedForGoodErrorBySink.putIfAbsent(sink, error);
        } else {
            expiredErrorBySink.putIfAbsent(sink, error);
        }
    }

    /**
     * What went to the sink's dead letter in this poll, and why: how many were refused for good
     * and how many for longer than {@code deadLetterAfter}, each with the first error.
     */
    synchronized String deadLetterSummary(String sink, Duration deadLetterAfter) {
        int forGood = refusedForGoodBySink.getOrDefault(sink, 0);
        int expired = deadLetteredBySink.getOrDefault(sink, 0) - forGood;
        List<String> parts = new ArrayList<>();
        if (forGood > 0) {
            parts.add(forGood + " refused for good (no retry changes it): " + refusedForGoodErrorBySink.get(sink));
        }
        if (expired > 0) {
            parts.add(expired + " still refused " + deadLetterAfter + " after the first refusal: " + expiredErrorBySink.get(sink));
        }
        return String.join("; ", parts);
    }

    /** The sink refused alerts in a way that may pass: the rest of the poll is not offered to it. */
    synchronized void refusing(String sink, String error) {
        refusingSinks.add(sink);
        lastErrorBySink.putIfAbsent(sink, error);
    }

    synchronized void undelivered(String sink, int count, String error) {
        undeliveredBySink.merge(sink, count, Integer::sum);
        lastErrorBySink.putIfAbsent(sink, error);
    }

    /**
     * What the sink refused could not be recorded (its dead letter or its delivered ids could not
     * be written): why, for the line that says the window stays open.
     */
    synchronized void notRecorded(String sink, String error) {
        lastErrorBySink.put(sink, error);
    }

    /**
     * Per sink, the failures of the window it lacked that it has neither accepted nor had
     * dead-lettered: refused and pending, or lost on the way (a refusal that could not be
     * recorded). The window closes only when there are none.
     */
    public synchronized Map<String, Integer> missingBySink() {
        Map<String, Integer> missing = new TreeMap<>();
        owedBySink.forEach((sink, owed) -> {
            int done = deliveredBySink.getOrDefault(sink, 0) + deadLetteredBySink.getOrDefault(sink, 0);
            if (owed > done) {
                missing.put(sink, owed - done);
            }
        });
        return missing;
    }

    /**
     * The sink refused an alert in this poll, after its redeliveries, in a way that may pass (one
     * it refused for good does not count: it goes on with the next).
     */
    synchronized boolean hasRefused(String sink) {
        return refusingSinks.contains(sink);
    }

    /** Sinks that refused alerts this poll which stay pending: the window cannot close. */
    public synchronized Map<String, Integer> undeliveredBySink() {
        return Map.copyOf(undeliveredBySink);
    }

    public synchronized Map<String, Integer> deadLetteredBySink() {
        return Map.copyOf(deadLetteredBySink);
    }

    synchronized String lastError(String sink) {
        return lastErrorBySink.get(sink);
    }

    void succeeded() {
        finished = true;
    }

    void failed(String reason) {
        finished = true;
        failure = reason;
    }

    public boolean isFinished() {
        return finished;
    }

    /** Empty when the poll succeeded; otherwise the one-line reason. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    public int pages() {
        return pages;
    }

    public int executions() {
        return executions;
    }

    public int failures() {
        return failures;
    }

    public int newFailures() {
        return newFailures;
    }

    public synchronized Map<String, Integer> deliveredBySink() {
        return Map.copyOf(deliveredBySink);
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public String toString() {
        return "Poll[" + monitor.name() + " " + windowStart + ".." + windowEnd + "]";
    }
}
