package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertBatch;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import dev.tcjobmonitor.state.PollLock;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The window of a poll and the watermark (the Kamelet's bean {@code tcWindow}): {@link #open} starts
 * a poll over the window since the watermark, {@link #close} moves the watermark when every sink
 * has every failure of the window (or its dead letter), {@link #fail} leaves it where it was. Each
 * says what happened in one line, records the poll for health and metrics, and returns the notice
 * for the sinks when the poll made the monitor blind or ended a blind spell.
 */
public class Window {

    /** The monitor's lines keep the monitor's logger (log configuration, README). */
    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);
    /** The longest a one-shot command waits for another process's poll of the monitor. */
    static final Duration ONE_SHOT_WAIT = Duration.ofMinutes(10);
    private static final Duration LOCK_RETRY = Duration.ofMillis(250);
    private JobMonitor monitor;

    public void setMonitor(JobMonitor monitor) {
        this.monitor = monitor;
    }

    /**
     * Opens a poll over [watermark - overlap, now], or [now - lookback, now] the first time (a
     * backfill starts where it was asked to): the {@link Poll} in {@link MonitorConstants#POLL}, its
     * first page in {@link Pages#NEXT}. First it takes the monitor ({@link #takeMonitor}), which it
     * gives back when the poll's exchange is done; a daemon's poll that finds another process
     * polling the monitor is skipped (no page, no state, nothing recorded).
     */
    public void open(Exchange exchange) {
        MonitorSettings settings = monitor.settings();
        monitor.dropReadAhead();
        long asked = System.nanoTime();
        PollLock lock = takeMonitor();
        if (lock == null) {
            Poll skipped = new Poll(monitor, null, monitor.clock().instant(), null, false, sinceFired(exchange));
            skipped.skip();
            exchange.setProperty(MonitorConstants.POLL, skipped);
            exchange.setProperty(Pages.NEXT, null);
            return;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                lock.close();
            }
        });
        // the poll begins once it holds the monitor: a wait for another process is not its time
        Duration waited = Duration.ofNanos(System.nanoTime() - asked);
        Instant now = monitor.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        Instant usualStart = monitor.stateStore().watermark(settings.name())
                .map(watermark -> watermark.minus(settings.overlap()))
                .orElse(now.minus(settings.lookback()));
        Instant windowStart = monitor.since().map(backfill -> backfill.from(now)).orElse(usualStart);
        // a backfill that starts after the usual window would leave a gap if it moved the watermark
        boolean movesWatermark = !monitor.dryRun() && !windowStart.isAfter(usualStart);
        URI firstPage = settings.endpoint().executionsUrl(monitor.tql(windowStart), settings.pageSize());
        Duration sinceFired = sinceFired(exchange);
        Poll poll = new Poll(monitor, windowStart, now, firstPage, movesWatermark,
                sinceFired.compareTo(waited) > 0 ? sinceFired.minus(waited) : Duration.ZERO);
        if (monitor.since().isPresent()) {
            // a usual window reaches back the overlap, never past the retention: a backfill can
            poll.deliveredIdsForgottenBefore(monitor.stateStore().forgottenBefore(settings.name()));
        }
        exchange.setProperty(MonitorConstants.POLL, poll);
        exchange.setProperty(Pages.NEXT, firstPage.toString());
    }

    /**
     * Takes the monitor for this poll, so that no other process polls it at the same time (in a
     * cluster: the nodes, and a one-shot command run beside them). A one-shot command waits for a
     * poll in progress elsewhere, up to {@link #ONE_SHOT_WAIT}; a daemon's poll does not wait: its
     * fire is skipped, the next one polls as usual.
     *
     * @return the monitor, to give back once the poll's exchange is done; null: skip this poll
     */
    private PollLock takeMonitor() {
        PollLock lock = monitor.stateStore().pollLock(monitor.name());
        try {
            if (lock.tryTake()) {
                return lock;
            }
            String holder = lock.holder();
            if (!monitor.oneShot()) {
                LOG.info("Poll of '{}' skipped: another process is polling this monitor ({}); the next fire polls as usual",
                        monitor.name(), holder);
                lock.close();
                return null;
            }
            LOG.info("Poll of '{}' waits for another process polling this monitor to finish ({}), at most {}",
                    monitor.name(), holder, ONE_SHOT_WAIT);
            long deadline = System.nanoTime() + ONE_SHOT_WAIT.toNanos();
            while (!lock.tryTake()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("another process has been polling monitor '" + monitor.name()
                            + "' for more than " + ONE_SHOT_WAIT + " (" + lock.holder() + "); nothing was polled");
                }
                Thread.sleep(LOCK_RETRY.toMillis());
            }
            return lock;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lock.close();
            throw new IllegalStateException("stopped while waiting for another process polling monitor '"
                    + monitor.name() + "' to finish");
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** How long ago the poll's exchange was created: when Quartz fired it. */
    private static Duration sinceFired(Exchange exchange) {
        return Duration.ofMillis(Math.max(0, exchange.getClock().elapsed()));
    }

    /**
     * Every page was read. When every failure of the window reached every sink (or its dead
     * letter), move the watermark; otherwise the window stays open for the next poll.
     */
    public AlertBatch close(Exchange exchange) {
        Poll poll = poll(exchange);
        if (poll.skipped()) {
            return addressed(exchange, new AlertBatch(List.of()));
        }
        Exception handOverFailed = exchange.getProperty(MonitorConstants.HAND_OVER_FAILED, Exception.class);
        if (handOverFailed != null) {
            // the sinks' route threw on a page (emit=pages, HandOver): the poll failed there
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, handOverFailed);
            return fail(exchange);
        }
        MonitorSettings settings = monitor.settings();
        reportUnchecked(poll);
        poll.deadLetteredBySink().forEach((sink, count) -> LOG.warn(
                "Sink '{}' of monitor '{}' gave up on {} alert(s); they went to its dead letter: {}",
                sink, settings.name(), count, poll.tally().deadLetterSummary(sink, settings.deadLetterAfter())));
        // per sink, delivered + dead-lettered must be every failure of the window it lacked: an
        // alert refused and pending, or whose refusal could not be recorded, keeps the window open
        Map<String, Integer> missing = poll.tally().missingBySink();
        if (!missing.isEmpty()) {
            String reason = missing.entrySet().stream()
                    .map(entry -> "sink '" + entry.getKey() + "' refused " + entry.getValue() + " alert(s): "
                            + java.util.Objects.requireNonNullElse(poll.tally().lastError(entry.getKey()),
                                    "its route ended without recording them"))
                    .collect(Collectors.joining("; "));
            poll.failed(reason);
            LOG.warn("Poll of '{}' read {} page(s) and {} failure(s) but the window stays open until every sink has them"
                    + " (next poll retries from {}), delivered {}: {}", settings.name(), poll.pages(), poll.failures(),
                    poll.windowStart(), describe(poll.deliveredBySink()), reason);
            monitor.metrics().pollFinished(settings.name(), poll);
            return notice(exchange, monitor.pollHistory().record(settings.name(), poll));
        }
        if (poll.movesWatermark()) {
            monitor.stateStore().saveWatermark(settings.name(), poll.windowEnd());
            // by the failure's time: the next window reaches back the overlap, at most the retention
            monitor.stateStore().forgetDeliveredBefore(settings.name(), poll.windowEnd().minus(settings.deliveredRetention()));
            // every alert of the window is done for every sink: refusals of those a sink has had go
            monitor.stateStore().forgetRefusals(settings.name(), poll.windowEnd().minus(settings.deliveredRetention()));
        }
        poll.succeeded();
        LOG.info("Poll of '{}' done in {} ms: window {}..{}, {} page(s), {} execution(s), {} failed, {} new, delivered {}{}{}",
                settings.name(), poll.elapsed().toMillis(), poll.windowStart(), poll.windowEnd(), poll.pages(),
                poll.executions(), poll.failures(), poll.newFailures(), describe(poll.deliveredBySink()),
                (poll.silencedBySink().isEmpty() ? "" : ", silenced " + describe(poll.silencedBySink()))
                        + (poll.heldBySink().isEmpty() ? "" : ", held for reminders " + describe(poll.heldBySink())),
                monitor.dryRun() ? " (dry run: nothing sent, no state changed)"
                        : poll.wasCutShortByStop() ? " (stopped before its last page: watermark unchanged)"
                        : poll.movesWatermark() ? "" : " (backfill: watermark unchanged)");
        if (monitor.dryRun()) {
            monitor.pollHistory().record(settings.name(), poll);
            return new AlertBatch(List.of());
        }
        monitor.metrics().pollFinished(settings.name(), poll);
        return notice(exchange, monitor.pollHistory().record(settings.name(), poll));
    }

    /** The poll failed: log one line, leave the watermark where it was. */
    public AlertBatch fail(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        if (poll == null) {
            // the poll failed before its window was open (the watermark could not be read)
            poll = new Poll(monitor, null, monitor.clock().instant(), null, true, sinceFired(exchange));
            exchange.setProperty(MonitorConstants.POLL, poll);
        }
        // a page that was not retried (again) says why (PageRetry)
        String reason = poll.paging().gaveUp().map(ErrorText::oneLine).orElseGet(() -> ErrorText.describe(cause));
        reportUnchecked(poll);
        poll.failed(reason);
        LOG.warn("Poll of '{}' failed after {} ms, watermark unchanged (next poll retries from {}): {}",
                monitor.name(), poll.elapsed().toMillis(),
                poll.windowStart() == null ? "the last good poll" : poll.windowStart(), reason);
        LOG.debug("Poll of '{}' failed", monitor.name(), cause);
        monitor.metrics().pollFinished(monitor.name(), poll);
        return notice(exchange, monitor.pollHistory().record(monitor.name(), poll));
    }

    /**
     * One line when the window reached back past what the delivered ids remember and some sink had
     * no record of failures from before then: how many went to a sink without that check.
     */
    private void reportUnchecked(Poll poll) {
        int unchecked = poll.uncheckedFailures();
        if (unchecked > 0) {
            LOG.warn("Backfill of '{}' reached past monitor.delivered-retention ({}): {} failure(s) from before {}"
                    + " could not be checked against what was already sent (delivered ids that old are forgotten);"
                    + " a sink that had one {}", monitor.name(), asWritten(monitor.settings().deliveredRetention()), unchecked,
                    poll.forgottenBefore().map(Instant::toString).orElse("?"),
                    monitor.dryRun() ? "would get it again (dry run: nothing sent)" : "got it again");
        }
    }

    /** P30D rather than Duration's PT720H, as the setting is usually written. */
    private static String asWritten(Duration duration) {
        return duration.toSeconds() % 86_400 == 0 && duration.getNano() == 0 ? "P" + duration.toDays() + "D" : duration.toString();
    }

    /**
     * When this poll made the monitor blind (or ended a blind spell), a notice for every sink, so
     * a monitor that cannot see ThreatConnect is never silent; otherwise an empty batch.
     */
    private AlertBatch notice(Exchange exchange, PollHistory.Change change) {
        exchange.setProperty(MonitorConstants.POLL_ENDED, true);
        List<Alert> alerts = new ArrayList<>();
        MonitorSettings settings = monitor.settings();
        if (monitor.notices() && !monitor.dryRun() && settings != null && change != PollHistory.Change.NONE) {
            Instant now = monitor.clock().instant().truncatedTo(ChronoUnit.MILLIS);
            Alert notice = SightNotice.of(settings, change == PollHistory.Change.WENT_BLIND,
                    monitor.pollHistory().health(now).get(settings.name()), now);
            alerts.add(notice);
            LOG.warn("{}: {}", notice.execution().text("notice").orElse(""), notice.execution().text("exitMessage").orElse(""));
        }
        return addressed(exchange, new AlertBatch(alerts));
    }

    /**
     * The batch, with {@link MonitorConstants#BATCH_SINKS} naming the sink routes that lack part of
     * it; once the poll has read its last page (or ended), also those of the sinks that gathered
     * the poll's failures to send them together (the email digest), so that they send them now.
     */
    static AlertBatch addressed(Exchange exchange, AlertBatch batch) {
        java.util.Set<String> sinks = new java.util.TreeSet<>(batch.sinks());
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        if (poll != null && !poll.hasMorePages()) {
            sinks.addAll(poll.gatheringSinks());
        }
        exchange.setProperty(MonitorConstants.BATCH_SINKS, sinks.stream()
                .map(sink -> MonitorConstants.SINK_ENDPOINT_PREFIX + sink).toList());
        return batch;
    }

    private static String describe(Map<String, Integer> delivered) {
        return delivered.isEmpty() ? "nothing" : delivered.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue()).collect(Collectors.joining(", "));
    }

    /** The poll in progress on this exchange (and on its split's sub-exchanges). */
    static Poll poll(Exchange exchange) {
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        if (poll == null) {
            throw new IllegalStateException("no poll in progress on this exchange");
        }
        return poll;
    }
}
