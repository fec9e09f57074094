package dev.tcjobmonitor.monitor;

import java.util.Map;
import java.util.Optional;

/**
 * The module's optional dependencies (pom.xml): the standalone monitor has them all, an application
 * that embeds the module adds those of the features it uses. A feature whose dependency is missing
 * says which artifact to add, in one line, instead of failing with a missing class.
 */
public enum OptionalDependency {

    KAFKA("org.apache.camel:camel-kafka", "org.apache.camel.component.kafka.KafkaComponent"),
    EMAIL("org.apache.camel:camel-mail", "org.apache.camel.component.mail.MailComponent"),
    CLUSTER("com.zaxxer:HikariCP and org.postgresql:postgresql", "com.zaxxer.hikari.HikariDataSource", "org.postgresql.Driver"),
    MICROMETER("io.micrometer:micrometer-core (e.g. through org.apache.camel:camel-micrometer)",
            "io.micrometer.core.instrument.MeterRegistry");

    /** The shipped sinks that need an optional dependency, by name (sinks.camel.yaml). */
    private static final Map<String, OptionalDependency> SINKS = Map.of("kafka", KAFKA, "email", EMAIL);

    private final String artifacts;
    private final String[] classNames;

    OptionalDependency(String artifacts, String... classNames) {
        this.artifacts = artifacts;
        this.classNames = classNames;
    }

    /** The Maven coordinates to add. */
    public String artifacts() {
        return artifacts;
    }

    /** Whether its classes are on the class path. */
    public boolean present() {
        for (String className : classNames) {
            try {
                Class.forName(className, false, OptionalDependency.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
        return true;
    }

    /** The dependency the shipped sink {@code sink} needs and the class path lacks, if any. */
    public static Optional<OptionalDependency> missingForSink(String sink) {
        return Optional.ofNullable(SINKS.get(sink)).filter(dependency -> !dependency.present());
    }
}
