package dev.tcjobmonitor.monitor;

/**
 * Whether the optional sink components are on the class path (bean {@code tcSinkComponents}): the
 * preconditions of the Kafka and email sink templates. Asked through this small bean rather than
 * as {@code ${camelContext.getComponent('kafka')}}, whose simple-language call introspects the whole
 * CamelContext and creates the component: about 0.6 s of every start (benchmark, start to first poll).
 */
public class SinkComponents {

    public boolean kafka() {
        return OptionalDependency.KAFKA.present();
    }

    public boolean email() {
        return OptionalDependency.EMAIL.present();
    }
}
