package dev.tcjobmonitor.benchmark;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;

/**
 * The benchmark's simulator on its own, for trying JVM options by hand: seeds N failed executions
 * (as the benchmark does; or a typical hour with N=0), prints the settings a monitor needs and
 * serves until stopped. {@code java -cp benchmark/target/classes:benchmark/target/lib/* dev.tcjobmonitor.benchmark.Serve 100000}
 */
public final class Serve {

    private Serve() {
    }

    public static void main(String[] args) throws Exception {
        Benchmark.quietLogging();
        int n = Integer.parseInt(args.length > 0 ? args[0] : "100000");
        ThreatConnectSimulator simulator = ThreatConnectSimulator.start().withHmacUser(Benchmark.ACCESS_ID, Benchmark.SECRET_KEY);
        Benchmark.seed(simulator, n);
        System.out.printf("TC_BASE_URL=%s TC_ACCESS_ID=%s TC_SECRET_KEY='%s'%n", simulator.baseUrl(), Benchmark.ACCESS_ID,
                Benchmark.SECRET_KEY);
        System.out.flush();
        Thread.currentThread().join();
    }
}
