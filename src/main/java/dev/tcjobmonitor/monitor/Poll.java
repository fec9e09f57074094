package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
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
 * One poll in progress: its window, its place in the paging ({@link Paging}), its counters, and what
 * became of its failures at each sink ({@link SinkTally}). Lives in the exchange property
 * {@link MonitorConstants#POLL}; the split's sub-exchanges share it.
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
    private final Paging paging;
    private final SinkTally tally = new SinkTally();
    private int failures;
    private int newFailures;
    /** Delivered ids of failures before this may be forgotten (the state store's); null: none was. */
    private Instant forgottenBefore;
    private int uncheckedFailures;
    /** The failures of the page being read that have reached direct:tc-sinks, for the sinks to take together. */
    private List<Alert> page = new ArrayList<>();
    /** Per sink that sends a poll's failures together at its end (the email digest), those it gathered so far. */
    private final Map<String, List<Alert>> gatheredBySink = new TreeMap<>();
    /** Per job, the latest failure this poll found: a job that failed after it completed has not recovered. */
    private final Map<Long, Instant> lastFailureByJob = new java.util.HashMap<>();
    private String failure;
    private boolean finished;

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
        this.paging = new Paging(firstPage);
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
        return paging.hasNext() && failure == null;
    }

    /** Where this poll is in ThreatConnect's paging. */
    Paging paging() {
        return paging;
    }

    /** What became of the failures this poll owed each sink. */
    public SinkTally tally() {
        return tally;
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
                tally.owed(alert.pendingSinks(), -1);
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
        return paging.pages();
    }

    public int executions() {
        return paging.executions();
    }

    public int failures() {
        return failures;
    }

    public int newFailures() {
        return newFailures;
    }

    /** Per sink, the failures of this poll it accepted ({@link SinkTally#deliveredBySink()}). */
    public Map<String, Integer> deliveredBySink() {
        return tally.deliveredBySink();
    }

    /** Per sink, the failures of this poll it refused that stay pending ({@link SinkTally#undeliveredBySink()}). */
    public Map<String, Integer> undeliveredBySink() {
        return tally.undeliveredBySink();
    }

    /** Per sink, the failures of this poll that went to its dead letter ({@link SinkTally#deadLetteredBySink()}). */
    public Map<String, Integer> deadLetteredBySink() {
        return tally.deadLetteredBySink();
    }

    /** Per sink, the failures of this poll a silence hid from it ({@link SinkTally#silencedBySink()}). */
    public Map<String, Integer> silencedBySink() {
        return tally.silencedBySink();
    }

    /** Per sink, how many failures of this poll it held for reminders ({@link SinkTally#heldBySink()}). */
    public Map<String, Integer> heldBySink() {
        return tally.heldBySink();
    }

    /** Why {@code sink} refused what stays pending in this poll (or in a replay); null if it refused nothing. */
    String lastError(String sink) {
        return tally.lastError(sink);
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public String toString() {
        return "Poll[" + monitor.name() + " " + windowStart + ".." + windowEnd + "]";
    }
}
