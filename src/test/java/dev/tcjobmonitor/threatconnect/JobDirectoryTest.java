package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.HmacVerifier;
import dev.tcjobmonitor.simulator.RecordedRequest;
import dev.tcjobmonitor.simulator.SimulatedResponse;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.support.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Looking up job names against the simulator: a name when there is one, "Job <id>" otherwise. */
class JobDirectoryTest {

    private static final String ACCESS_ID = "api-user";
    private static final String SECRET_KEY = "s3cret-key";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final ThreatConnectSimulator simulator = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET_KEY);
    private final ManualClock clock = new ManualClock(Instant.parse("2024-04-10T12:00:00Z"));

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    private JobDirectory directory() {
        return directory(SECRET_KEY, TIMEOUT);
    }

    private JobDirectory directory(String secretKey, Duration timeout) {
        return new JobDirectory(ApiEndpoint.of(simulator.baseUrl()), new HmacSigner(ACCESS_ID, secretKey, Clock.systemUTC()),
                timeout, clock);
    }

    private static Fault answer(int status, Map<String, String> headers, String body) {
        return new Fault("HTTP " + status, Duration.ZERO, normal -> new SimulatedResponse(status, headers, body));
    }

    private static String result(Future<String> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Nested
    class Names {

        @Test
        void displayNameIsPreferred() {
            simulator.addJob(174, "Feed import", "Feed import (prod)");

            assertThat(directory().nameOf(174)).isEqualTo("Feed import (prod)");
        }

        @Test
        void nameStandsInWhenThereIsNoDisplayName() {
            simulator.addJob(175, "Nightly export", null);

            assertThat(directory().nameOf(175)).isEqualTo("Nightly export");
        }

        @Test
        void nameStandsInWhenTheDisplayNameIsBlank() {
            simulator.addJob(176, "Nightly export", "  ");

            assertThat(directory().nameOf(176)).isEqualTo("Nightly export");
        }

        @Test
        void fieldsAtTopLevelWithoutTheDataEnvelopeAreAccepted() {
            simulator.enqueueFault(Fault.respond(200, "{\"id\":174,\"name\":\"Feed import\"}"));

            assertThat(directory().nameOf(174)).isEqualTo("Feed import");
        }

        @Test
        void idThatArrivesAsTextIsLookedUp() {
            simulator.addJob(174, "Feed import", null);

            assertThat(directory().nameOf(" 174 ")).isEqualTo("Feed import");
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "17x", "-5", "1.5", "99999999999999999999"})
        void textThatIsNotAnIdIsShownWithoutAskingThreatConnect(String text) {
            assertThat(directory().nameOf(text)).isEqualTo("Job " + text);
            assertThat(simulator.requests()).isEmpty();
        }
    }

    @Nested
    class Requests {

        @Test
        void requestIsSignedLikeEveryOtherRequest() {
            simulator.addJob(174, "Feed import", null);

            directory().nameOf(174);

            RecordedRequest request = simulator.requests().get(0);
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.target()).isEqualTo("/api/v3/jobs/174");
            // checked by the simulator's own verifier, written from the reference: not by the signer under test
            String timestamp = request.header("Timestamp").orElseThrow();
            HmacVerifier.Credentials credentials = HmacVerifier.credentials(request.header("Authorization").orElseThrow())
                    .orElseThrow();
            assertThat(credentials.accessId()).isEqualTo(ACCESS_ID);
            assertThat(HmacVerifier.verifies(SECRET_KEY, "GET", "/api/v3/jobs/174", timestamp, credentials.signature())).isTrue();
        }

        @Test
        void redirectIsNotFollowed() {
            simulator.addJob(175, "Elsewhere", null);
            simulator.enqueueFault(answer(302, Map.of("Location", simulator.baseUrl() + "/v3/jobs/175"), ""));

            assertThat(directory().nameOf(174)).isEqualTo("Job 174");
            assertThat(simulator.requests()).hasSize(1);
        }

        /** A followed redirect would take the signed request, Authorization and all, to whoever Location names. */
        @ParameterizedTest(name = "HTTP {0}")
        @ValueSource(ints = {301, 302, 303, 307, 308})
        void redirectToAnotherOriginIsNotFollowed(int status) {
            try (ThreatConnectSimulator elsewhere = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET_KEY)) {
                elsewhere.addJob(174, "Elsewhere", null);
                simulator.enqueueFault(Fault.redirect(status, elsewhere.baseUrl() + "/v3/jobs/174"));

                assertThat(directory().nameOf(174)).isEqualTo("Job 174");
                assertThat(elsewhere.requests()).isEmpty();
            }
        }

        @Test
        void concurrentLookupsOfOneJobShareOneRequest() throws Exception {
            simulator.addJob(174, "Feed import", null);
            simulator.enqueueFault(Fault.delay(Duration.ofMillis(300)));
            JobDirectory directory = directory();
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                List<Callable<String>> lookups = IntStream.range(0, 8).<Callable<String>>mapToObj(i -> () -> directory.nameOf(174)).toList();
                List<String> names = callers.invokeAll(lookups).stream().map(JobDirectoryTest::result).toList();

                assertThat(names).containsOnly("Feed import");
                assertThat(simulator.requests()).hasSize(1);
            } finally {
                callers.shutdownNow();
            }
        }
    }

    /** A digest asks for many names at once ({@link JobDirectory#namesOf}). */
    @Nested
    class ManyAtOnce {

        private final List<String> sixtyJobs = IntStream.rangeClosed(1, 60).mapToObj(Integer::toString).toList();

        @Test
        void everyNameIsFoundWhenThreatConnectAnswers() {
            sixtyJobs.forEach(id -> simulator.addJob(Long.parseLong(id), "Name of " + id, null));

            Map<String, String> names = directory().namesOf(sixtyJobs);

            assertThat(names).hasSize(60).allSatisfy((id, name) -> assertThat(name).isEqualTo("Name of " + id));
            assertThat(simulator.requests()).hasSize(60);
        }

        /**
         * Sixty names that do not come within the timeout: one after another they would take sixty
         * timeouts; asked together, they take one, and every job is shown by its id.
         */
        @Test
        void namesThatDoNotComeAreWaitedForOnceTogetherNotOnceEach() {
            sixtyJobs.forEach(id -> simulator.addJob(Long.parseLong(id), "Name of " + id, null));
            simulator.delayJobLookups(Duration.ofSeconds(30));
            Duration timeout = Duration.ofSeconds(1);
            JobDirectory directory = directory(SECRET_KEY, timeout);

            long started = System.nanoTime();
            Map<String, String> names = directory.namesOf(sixtyJobs);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(names).hasSize(60).allSatisfy((id, name) -> assertThat(name).isEqualTo("Job " + id));
            assertThat(took).as("the names were waited for").isGreaterThanOrEqualTo(timeout);
            // serially 60 s; a loose bound for a busy machine, still a quarter of that
            assertThat(took).as("one timeout for all sixty").isLessThan(Duration.ofSeconds(15));
        }

        @Test
        void aNameAlreadyKnownIsGivenWithoutAskingAgain() {
            simulator.addJob(174, "Feed import", null);
            simulator.addJob(175, "Nightly export", null);
            JobDirectory directory = directory();
            directory.nameOf(174);

            Map<String, String> names = directory.namesOf(List.of("174", "175", "abc"));

            assertThat(names).containsOnly(Map.entry("174", "Feed import"), Map.entry("175", "Nightly export"),
                    Map.entry("abc", "Job abc"));
            assertThat(simulator.requests()).extracting(RecordedRequest::target)
                    .containsExactly("/api/v3/jobs/174", "/api/v3/jobs/175");
        }
    }

    @Nested
    class Caching {

        @Test
        void nameFoundIsKeptForGood() {
            simulator.addJob(174, "Feed import", null);
            JobDirectory directory = directory();
            directory.nameOf(174);

            clock.advance(Duration.ofDays(30));

            assertThat(directory.nameOf(174)).isEqualTo("Feed import");
            assertThat(directory.nameOf("174")).isEqualTo("Feed import");
            assertThat(simulator.requests()).hasSize(1);
        }

        @Test
        void failureIsKeptForItsPeriodAndThenAskedAgain() {
            simulator.addJob(174, "Feed import", null);
            simulator.enqueueFault(Fault.error(503, "Service Unavailable"));
            JobDirectory directory = directory();

            assertThat(directory.nameOf(174)).isEqualTo("Job 174");
            clock.advance(JobDirectory.DEFAULT_FAILURE_PERIOD.minusSeconds(1));
            assertThat(directory.nameOf(174)).isEqualTo("Job 174");
            assertThat(simulator.requests()).hasSize(1);

            clock.advance(Duration.ofSeconds(1));
            assertThat(directory.nameOf(174)).isEqualTo("Feed import");
            assertThat(simulator.requests()).hasSize(2);
        }

        @Test
        void failurePeriodIsConfigurable() {
            simulator.addJob(174, "Feed import", null);
            simulator.enqueueFault(Fault.error(503, "Service Unavailable"));
            JobDirectory directory = new JobDirectory(ApiEndpoint.of(simulator.baseUrl()),
                    new HmacSigner(ACCESS_ID, SECRET_KEY, Clock.systemUTC()), TIMEOUT, Duration.ofSeconds(30), clock);

            assertThat(directory.nameOf(174)).isEqualTo("Job 174");
            clock.advance(Duration.ofSeconds(30));

            assertThat(directory.nameOf(174)).isEqualTo("Feed import");
        }

        @Test
        void eachJobIsCachedOnItsOwn() {
            simulator.addJob(174, "Feed import", null);
            simulator.addJob(175, "Nightly export", null);
            JobDirectory directory = directory();

            assertThat(directory.nameOf(174)).isEqualTo("Feed import");
            assertThat(directory.nameOf(175)).isEqualTo("Nightly export");
            assertThat(simulator.requests()).hasSize(2);
        }
    }

    @Nested
    class Fallback {

        @Test
        void unknownJob() {
            assertThat(directory().nameOf(42)).isEqualTo("Job 42");
        }

        @Test
        void rejectedSignature() {
            simulator.addJob(174, "Feed import", null);

            assertThat(directory("wrong-secret", TIMEOUT).nameOf(174)).isEqualTo("Job 174");
        }

        @Test
        void instanceThatIsNotThere() {
            JobDirectory directory = directory();
            simulator.close();

            assertThat(directory.nameOf(174)).isEqualTo("Job 174");
        }

        @Test
        void answerSlowerThanTheTimeout() {
            simulator.addJob(174, "Feed import", null);
            simulator.enqueueFault(Fault.delay(Duration.ofSeconds(3)));

            assertThat(directory(SECRET_KEY, Duration.ofMillis(500)).nameOf(174)).isEqualTo("Job 174");
        }

        /**
         * Each byte arrives well within the timeout, so no read times out: only the deadline on the
         * whole answer ends it. Generous upper bound (the trickle alone takes over 10 s), exact lower one.
         */
        @Test
        void answerThatTricklesInIsGivenUpAtTheTimeout() {
            simulator.addJob(174, "Feed import", null);
            simulator.enqueueFault(Fault.trickled(1, Duration.ofMillis(200)));
            JobDirectory directory = directory(SECRET_KEY, Duration.ofSeconds(1));

            long start = System.nanoTime();
            String name = directory.nameOf(174);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(name).isEqualTo("Job 174");
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofSeconds(6));
        }

        @Test
        void truncatedAnswer() {
            simulator.addJob(174, "Feed import", null);
            simulator.enqueueFault(Fault.truncated());

            assertThat(directory().nameOf(174)).isEqualTo("Job 174");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "",
                "not json",
                "[]",
                "\"Feed import\"",
                "{}",
                "{\"data\":{\"id\":174},\"status\":\"Success\"}",
                "{\"data\":{\"id\":174,\"name\":\"  \",\"displayName\":\"\"},\"status\":\"Success\"}",
                "{\"data\":{\"id\":174,\"name\":42},\"status\":\"Success\"}",
                "{\"data\":{\"id\":174,\"name\":\"Feed import\"},\"status\":\"Error\",\"message\":\"nope\"}",
                "{\"data\":{\"id\":175,\"name\":\"Another job\"},\"status\":\"Success\"}",
        })
        void answerWithoutAUsableName(String body) {
            simulator.enqueueFault(Fault.respond(200, body));

            assertThat(directory().nameOf(174)).isEqualTo("Job 174");
        }
    }
}
