package dev.tcjobmonitor.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The simulated instance's job executions, and how it answers a query over them: a page of those
 * the TQL matches, in full (the default), or ignoring the query or some of its clauses, as a
 * misbehaving instance would.
 */
final class SimulatedExecutions {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 10_000;

    private final List<ObjectNode> executions = new CopyOnWriteArrayList<>();
    /** Bumped by every added execution and every change of how queries are answered: kept answers are stale. */
    private final AtomicLong changes = new AtomicLong();
    private final Map<String, Matches> recentMatches = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Matches> eldest) {
            return size() > 8;
        }
    };
    private final AtomicLong nextId = new AtomicLong(1000);
    /** How much of a query's tql this instance honours: a lasting misbehaviour, unlike a fault. */
    private volatile boolean tqlIgnored;
    private volatile Set<String> tqlFieldsIgnored = Set.of();

    /** Adds an execution with the usual fields and returns its id. */
    long add(long jobId, String status, String timeField, Instant time, String exitMessage) {
        long id = nextId.incrementAndGet();
        Instant at = time.truncatedTo(ChronoUnit.SECONDS);
        ObjectNode execution = ThreatConnectSimulator.JSON.createObjectNode()
                .put("id", id)
                .put("jobId", jobId)
                .put(timeField, at.toString())
                .put("exitMessage", exitMessage)
                .put("queueTime", at.minusSeconds(5).toString())
                .put("serverName", "tc-job")
                .put("startTime", at.minusSeconds(3).toString())
                .put("status", status);
        add(execution);
        return id;
    }

    /** Adds an execution exactly as given (any fields, any types). */
    void add(ObjectNode execution) {
        executions.add(execution);
        changes.incrementAndGet();
    }

    List<ObjectNode> all() {
        return List.copyOf(executions);
    }

    void ignoreTql() {
        tqlIgnored = true;
        tqlFieldsIgnored = Set.of();
        changes.incrementAndGet();
    }

    void ignoreTqlClausesOn(String... fields) {
        for (String field : fields) {
            if (!TqlFilter.FIELDS.contains(field)) {
                throw new IllegalArgumentException("not a field of a job execution: " + field);
            }
        }
        tqlIgnored = false;
        tqlFieldsIgnored = Set.of(fields);
        changes.incrementAndGet();
    }

    void honourTql() {
        tqlIgnored = false;
        tqlFieldsIgnored = Set.of();
        changes.incrementAndGet();
    }

    /**
     * The page a {@code GET /v3/job/executions} with {@code rawQuery} asks for ({@code tql},
     * {@code resultStart}, {@code resultLimit}), with a {@code next} link to {@code executionsUrl}
     * while there are more, or to the same page again when {@code nextLinksLoop}.
     */
    SimulatedResponse page(String rawQuery, Clock clock, String executionsUrl, boolean nextLinksLoop) {
        Map<String, String> query = QueryStrings.parse(rawQuery);
        String tql = query.getOrDefault("tql", "");
        int start;
        int limit;
        try {
            start = Integer.parseInt(query.getOrDefault("resultStart", "0"));
            limit = Integer.parseInt(query.getOrDefault("resultLimit", String.valueOf(DEFAULT_LIMIT)));
        } catch (NumberFormatException e) {
            return SimulatedResponse.error(400, "resultStart and resultLimit must be integers");
        }
        if (start < 0 || limit < 1 || limit > MAX_LIMIT) {
            return SimulatedResponse.error(400, "resultLimit must be between 1 and " + MAX_LIMIT);
        }
        Matches matches;
        try {
            matches = matching(tql, clock);
        } catch (IllegalArgumentException e) {
            return SimulatedResponse.error(400, "Invalid TQL: " + e.getMessage());
        }
        List<ObjectNode> matching = matches.executions();

        ObjectNode envelope = ThreatConnectSimulator.JSON.createObjectNode();
        ArrayNode data = envelope.putArray("data");
        int end = Math.min(matching.size(), start + limit);
        for (int i = start; i < end; i++) {
            data.add(matching.get(i));
        }
        long failed = matches.failed();
        if (nextLinksLoop) {
            envelope.put("next", executionsUrl + "?" + rawQuery);
        } else if (end < matching.size()) {
            envelope.put("next", executionsUrl + "?tql=" + QueryStrings.encode(tql)
                    + "&resultStart=" + end + "&resultLimit=" + limit);
        }
        envelope.put("status", "Success");
        envelope.put("countFailure", failed);
        envelope.put("countSuccess", matching.size() - failed);
        return SimulatedResponse.json(200, envelope);
    }

    /**
     * The executions {@code tql} matches, newest first. Every page of a poll asks the same query:
     * the answer is kept (for the last few queries) until an execution is added, so a page costs
     * slicing, not filtering and sorting all executions again. A query that reads the clock
     * (NOW()) is answered afresh each time.
     *
     * @throws IllegalArgumentException when {@code tql} is not valid TQL
     */
    Matches matching(String tql, Clock clock) {
        long version = changes.get();
        synchronized (recentMatches) {
            Matches kept = recentMatches.get(tql);
            if (kept != null && kept.version() == version) {
                return kept;
            }
        }
        ClockReads clockReads = new ClockReads(clock);
        Predicate<JsonNode> filter = tqlIgnored ? execution -> true : TqlFilter.compile(tql, clockReads, tqlFieldsIgnored);
        List<ObjectNode> matching = new ArrayList<>();
        for (ObjectNode execution : executions) {
            if (filter.test(execution)) {
                matching.add(execution);
            }
        }
        matching.sort(Comparator.comparingLong((ObjectNode e) -> e.path("id").asLong()).reversed());
        long failed = matching.stream().filter(e -> "Failed".equals(e.path("status").asText())).count();
        Matches matches = new Matches(version, List.copyOf(matching), failed);
        if (!clockReads.wasRead()) {
            synchronized (recentMatches) {
                recentMatches.put(tql, matches);
            }
        }
        return matches;
    }

    /** A query's answer, valid while nothing changed since ({@code version}). */
    record Matches(long version, List<ObjectNode> executions, long failed) {
    }

    /** The simulator's clock, noting whether compiling a query read it. */
    private static final class ClockReads extends Clock {

        private final Clock clock;
        private final AtomicBoolean read;

        ClockReads(Clock clock) {
            this(clock, new AtomicBoolean());
        }

        private ClockReads(Clock clock, AtomicBoolean read) {
            this.clock = clock;
            this.read = read;
        }

        boolean wasRead() {
            return read.get();
        }

        @Override
        public ZoneId getZone() {
            return clock.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new ClockReads(clock.withZone(zone), read);
        }

        @Override
        public Instant instant() {
            read.set(true);
            return clock.instant();
        }
    }
}
