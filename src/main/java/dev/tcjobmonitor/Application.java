package dev.tcjobmonitor;

import dev.tcjobmonitor.monitor.ErrorText;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.state.ClusterDatabase;
import dev.tcjobmonitor.state.SelectedStateStore;
import dev.tcjobmonitor.state.StateFolderLock;
import java.io.PrintStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * The standalone process: camel-main with the shipped route template and sink routes, the
 * operator's monitors from {@code routes/*.camel.yaml}, and the command line, which it hands to
 * the daemon, a single poll ({@link SinglePoll}), {@code --check} or an operator's command.
 */
public final class Application {

    /**
     * The operator's file, then the shipped defaults (the repository's application.properties,
     * packaged). Camel answers a key from the first location that has it, so the operator's wins.
     */
    static final String PROPERTY_LOCATIONS =
            "file:application.properties;optional=true,classpath:tc-job-monitor/application.properties";
    static final String SHIPPED_ROUTES = "classpath:tc-job-monitor/camel/*.camel.yaml";
    static final String OPERATOR_ROUTES_DIR = "routes";
    static final String DEFAULT_MONITORS = "classpath:tc-job-monitor/routes/*.camel.yaml";
    /**
     * Settings of a one-shot run (a single poll, --check): it exits within seconds, so nothing
     * could scrape its health or metrics or attach over JMX, and its management port would collide
     * with a daemon's on the same host. Not starting the HTTP server, Micrometer and the MBeans
     * (Camel's and Quartz's) also saves a good part of its start-up (issue #7).
     */
    static final Map<String, String> ONE_SHOT_SETTINGS = Map.of(
            "camel.management.enabled", "false",
            "camel.metrics.enabled", "false",
            "camel.main.jmx-enabled", "false",
            "camel.component.quartz.enable-jmx", "false",
            // the poll is over when Camel stops: no need to wait up to half a second for Quartz's
            // idle worker threads to notice the shutdown
            "camel.component.quartz.interrupt-jobs-on-shutdown", "true",
            // --once starts Quartz itself, with the cron paused: its one poll is the only one
            "camel.component.quartz.auto-start-scheduler", "false",
            // in a cluster too: Quartz in memory, not a node of the cluster's scheduler (whose
            // shared job store could hand this run's poll to another node); the poll takes the
            // monitor's lock on the shared database instead, as the daemons' polls do
            "monitor.one-shot", "true");
    /** The state store bean of tc-job-monitor/camel/job-monitor.camel.yaml. */
    private static final String STATE_STORE = "tcStateStore";

    private static final String MANAGEMENT_VARIABLE_PREFIX = "CAMEL_MANAGEMENT_";

    static final int EXIT_OK = 0;
    static final int EXIT_POLL_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final String NO_MONITOR =
            "no monitor is defined: add a templatedRoute of tc-job-monitor to routes/monitor.camel.yaml";

    private Application() {
    }

    public static void main(String[] args) {
        StandaloneLogging.applyDefaults();
        System.setOut(StandaloneLogging.withoutVetoWarnings(StandaloneLogging.withoutSecrets(System.out)));
        System.setErr(StandaloneLogging.withoutSecrets(System.err));
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("tc-job-monitor: " + e.getMessage());
            err.print(CommandLine.USAGE);
            return EXIT_USAGE;
        }
        if (commandLine.help()) {
            out.print(CommandLine.USAGE);
            return EXIT_OK;
        }
        DemoMode demo = commandLine.demo() ? DemoMode.start() : null;
        try {
            Properties overrides = demo == null ? new Properties() : demo.overrides();
            if (demo != null) {
                out.println(demo.describe());
            }
            if (commandLine.dryRun()) {
                overrides.setProperty("monitor.dry-run", "true");
            }
            if (commandLine.since() != null) {
                overrides.setProperty("monitor.since", commandLine.since());
            }
            if (commandLine.check() || commandLine.singlePoll() || commandLine.stateCommand()) {
                ONE_SHOT_SETTINGS.forEach(overrides::setProperty);
            }
            Runnable unpin = pinCamelSettings(overrides);
            try {
                if (commandLine.check()) {
                    return ConfigurationCheck.run(overrides, demo != null, out, err);
                }
                if (commandLine.stateCommand()) {
                    return OperatorCommands.run(commandLine, overrides, out, err);
                }
                return commandLine.singlePoll() ? SinglePoll.run(overrides, demo != null, err) : runDaemon(overrides, demo != null, err);
            } finally {
                unpin.run();
            }
        } finally {
            if (demo != null) {
                demo.close();
            }
        }
    }

    /**
     * A camel-main configured as the standalone process is, with {@code overrides} winning over
     * every other property source (SettingSources). Tests build theirs here too.
     */
    public static Main createMain(Properties overrides) {
        return createMain(overrides, false);
    }

    /**
     * As {@link #createMain(Properties)}; for {@code --demo}, with the shipped monitor only (not the
     * operator's routes/).
     */
    static Main createMain(Properties overrides, boolean demo) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(PROPERTY_LOCATIONS);
        main.setOverrideProperties((Properties) overrides.clone());
        main.configure().withRoutesIncludePattern(SHIPPED_ROUTES + "," + (demo ? DEFAULT_MONITORS : monitorRoutes()));
        main.addMainListener(new ManagementSummary());
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configuring) {
                SettingSources.install((org.apache.camel.component.properties.PropertiesComponent)
                        configuring.getCamelContext().getPropertiesComponent());
                // before Camel configures anything with them: at DEBUG it logs the values it sets
                StandaloneLogging.hideSecretsOf(configuring.getCamelContext().getPropertiesComponent(), overrides);
            }
        });
        return main;
    }

    /**
     * Makes the command line's {@code camel.*} settings (a one-shot run's: no management server,
     * metrics, JMX or running scheduler) JVM system properties too, until the returned action puts
     * back what was there. camel-main configures its own {@code camel.*} keys from the property
     * sources, then puts {@code CAMEL_*} environment variables over them and {@code -D} system
     * properties over those: only a system property is above both, and an operator's
     * {@code CAMEL_MANAGEMENT_ENABLED=true} must not start a second management server on the port of
     * the daemon beside a {@code --once}.
     */
    static Runnable pinCamelSettings(Properties commandLine) {
        Map<String, String> before = new java.util.HashMap<>();
        for (String key : commandLine.stringPropertyNames()) {
            if (key.startsWith("camel.")) {
                before.put(key, System.getProperty(key));
                System.setProperty(key, commandLine.getProperty(key));
            }
        }
        return () -> before.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    /**
     * {@code camel.management.*} settings from {@code CAMEL_MANAGEMENT_*} environment variables
     * ({@code CAMEL_MANAGEMENT_PORT=9900} is {@code camel.management.port=9900}). Every other setting
     * can come from the environment in that form, but camel-main 4.18 does not read these ones from
     * it, and a second daemon on a host needs a port of its own. The environment's source of
     * settings (SettingSources) hands them to camel-main.
     */
    static Properties managementSettingsFrom(Map<String, String> environment) {
        Properties settings = new Properties();
        environment.forEach((name, value) -> {
            if (name.startsWith(MANAGEMENT_VARIABLE_PREFIX) && name.length() > MANAGEMENT_VARIABLE_PREFIX.length()) {
                String key = name.substring(MANAGEMENT_VARIABLE_PREFIX.length()).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                settings.setProperty("camel.management." + key, value);
            }
        });
        return settings;
    }

    /** The operator's monitors when routes/ has any, otherwise the shipped single default monitor. */
    static String monitorRoutes() {
        Path dir = Path.of(OPERATOR_ROUTES_DIR);
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                if (files.anyMatch(file -> file.getFileName().toString().endsWith(".camel.yaml"))) {
                    return "file:" + OPERATOR_ROUTES_DIR + "/*.camel.yaml";
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + dir.toAbsolutePath(), e);
            }
        }
        return DEFAULT_MONITORS;
    }

    /** Runs one poll of every monitor now and waits for all of them to finish ({@link SinglePoll#pollAllNow}). */
    public static List<Poll> pollAllNow(CamelContext context) throws InterruptedException {
        return SinglePoll.pollAllNow(context);
    }

    private static int runDaemon(Properties overrides, boolean demo, PrintStream err) {
        Main main = createMain(overrides, demo);
        lockStateFolderAtStart(main);
        boolean pollAtStart = demo;
        if (pollAtStart) {
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterStart(BaseMainSupport started) {
                    MonitorTriggers.pollNow(started.getCamelContext());
                }
            });
        }
        try {
            main.run();
            return main.getExitCode();
        } catch (Exception e) {
            Optional<String> databaseDown = clusterDatabaseUnreachable(main.getCamelContext(), e);
            if (databaseDown.isPresent()) {
                // not 2, which the systemd unit does not restart: started again later, the node finds
                // the database up (README, "Deployment: several nodes, one PostgreSQL")
                err.println("tc-job-monitor: cannot start: " + databaseDown.get() + "; exit status " + EXIT_POLL_FAILED
                        + ": start it again once the database answers (the systemd unit does, every 10 s)");
                return EXIT_POLL_FAILED;
            }
            err.println("tc-job-monitor: cannot start: " + rootMessage(e));
            return EXIT_USAGE;
        }
    }

    /**
     * What to say when start-up failed only because the cluster's PostgreSQL cannot be reached for
     * now (down, restarting, starting up, the network): its {@code host:port} (never the user,
     * password or other parameters of {@code monitor.cluster.jdbc-url}) and why. A database that
     * answers and refuses the settings (a wrong password, no such database) is a bad configuration
     * like any other: empty then, and for every failure that is not the cluster's database.
     */
    public static Optional<String> clusterDatabaseUnreachable(CamelContext context, Throwable failure) {
        if (context == null || !ClusterDatabase.unreachable(failure)) {
            return Optional.empty();
        }
        var properties = context.getPropertiesComponent();
        if (!Boolean.parseBoolean(properties.resolveProperty("monitor.cluster.enabled").orElse("false").strip())) {
            return Optional.empty();
        }
        String address = ClusterDatabase.address(properties.resolveProperty("monitor.cluster.jdbc-url").orElse(""));
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // the driver's UnknownHostException says only the name
        String reason = (root instanceof java.net.UnknownHostException ? "unknown host " : "") + rootMessage(failure);
        return Optional.of("the cluster's PostgreSQL at " + address + " cannot be reached (" + reason + ")");
    }

    /**
     * A process that polls (the daemon, --once, --since, --dry-run) or changes state (--rewind,
     * --replay-dead-letter) takes the state folder once its
     * beans exist, before Camel starts its routes: beside another process on the same folder it
     * cannot start, and says so in one line naming that process's pid, before it has read or
     * written anything ({@link StateFolderLock}). --check uses no state: it runs beside a daemon.
     */
    /**
     * Starts Camel for a command that uses the state (--once, --since, --dry-run, --replay-dead-letter,
     * --rewind), the state folder locked first. Empty when it started; else the exit status, its
     * one line written: 1 when the cluster's database cannot be reached (that passes), 2 otherwise.
     */
    static java.util.OptionalInt startLockingTheStateFolder(Main main, PrintStream err, String databaseDownPrefix) {
        lockStateFolderAtStart(main);
        try {
            main.start();
            return java.util.OptionalInt.empty();
        } catch (Exception e) {
            Optional<String> databaseDown = clusterDatabaseUnreachable(main.getCamelContext(), e);
            if (databaseDown.isPresent()) {
                err.println("tc-job-monitor: " + databaseDownPrefix + databaseDown.get());
                return java.util.OptionalInt.of(EXIT_POLL_FAILED);
            }
            err.println("tc-job-monitor: cannot start: " + rootMessage(e));
            return java.util.OptionalInt.of(EXIT_USAGE);
        }
    }

    static void lockStateFolderAtStart(Main main) {
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport configured) {
                SelectedStateStore store = configured.getCamelContext().getRegistry()
                        .lookupByNameAndType(STATE_STORE, SelectedStateStore.class);
                if (store != null) {
                    store.lockFolder();
                }
            }
        });
    }

    /** The innermost message of an exception chain: the one that names the actual problem. */
    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        // e.g. Camel's "No endpoint could be found for: <sink.custom.uri>": a webhook by its host only
        return message == null ? root.getClass().getSimpleName()
                : ErrorText.withEndpointOrigins(message).replaceAll("[\\r\\n]+", " ");
    }
}
