package dev.tcjobmonitor.sink;

import dev.tcjobmonitor.monitor.OptionalDependency;
import dev.tcjobmonitor.monitor.SinkDeliveries;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.support.PropertyBindingSupport;

/**
 * The Kafka sink's own step (bean {@code tcKafka}): the page's alerts it lacks, as records. It also
 * puts the sink's security settings ({@code sink.kafka.security-protocol} and the rest) on Camel's
 * kafka component, so that no secret is part of an endpoint URI; when there is one: camel-kafka
 * is an optional dependency, and an application without it loads this bean all the same.
 */
public class KafkaAlerts implements CamelContextAware {

    private final SinkDeliveries deliveries = new SinkDeliveries();
    /** The kafka component's options, by their names there. */
    private final Map<String, Object> security = new LinkedHashMap<>();
    private CamelContext camelContext;

    /** The records for the alerts of the batch in the body that the Kafka sink lacks; see {@link KafkaRecords}. */
    public KafkaRecords records(Exchange exchange) throws InvalidPayloadException {
        return new KafkaRecords(exchange.getContext(), deliveries.pendingAll("kafka", exchange));
    }

    /** At start, before any route makes its Kafka endpoint: the security settings, on the component. */
    public void configureComponent() {
        if (camelContext == null || security.isEmpty() || !OptionalDependency.KAFKA.present()) {
            return;
        }
        Component kafka = camelContext.getComponent("kafka");
        if (kafka != null) {
            PropertyBindingSupport.build().withCamelContext(camelContext).withTarget(kafka)
                    .withProperties(new LinkedHashMap<>(security)).withMandatory(true).bind();
        }
    }

    public void setSecurityProtocol(String value) {
        security.put("securityProtocol", value);
    }

    public void setSaslMechanism(String value) {
        security.put("saslMechanism", value);
    }

    public void setSaslJaasConfig(String value) {
        security.put("saslJaasConfig", value);
    }

    public void setSslTruststoreLocation(String value) {
        security.put("sslTruststoreLocation", value);
    }

    public void setSslTruststorePassword(String value) {
        security.put("sslTruststorePassword", value);
    }

    public void setSslKeystoreLocation(String value) {
        security.put("sslKeystoreLocation", value);
    }

    public void setSslKeystorePassword(String value) {
        security.put("sslKeystorePassword", value);
    }

    public void setSslKeyPassword(String value) {
        security.put("sslKeyPassword", value);
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
