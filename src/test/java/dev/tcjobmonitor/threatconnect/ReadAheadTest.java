package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.URI;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.junit.jupiter.api.Test;

/** The read-ahead of a monitor that has stopped. */
class ReadAheadTest {

    @Test
    void aPageAskedForAfterTheMonitorStoppedIsNotReadAheadAndTheRouteAsksItself() throws Exception {
        // a forced stop can close the monitor while its poll still reads a page (Pages.read asks then)
        URI page = URI.create("http://127.0.0.1:9/api/v3/job/executions?tql=x&resultStart=1&resultLimit=1");
        ReadAhead readAhead = new ReadAhead(HttpClients::createDefault, Duration.ofSeconds(1), "m");
        readAhead.close();

        assertThatCode(() -> readAhead.ask(page)).as("no RejectedExecutionException into the poll").doesNotThrowAnyException();
        assertThat(readAhead.answerTo(new HttpGet(page))).as("nothing read ahead: the request goes out itself").isNull();
    }
}
