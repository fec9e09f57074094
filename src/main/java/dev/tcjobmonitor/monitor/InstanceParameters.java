package dev.tcjobmonitor.monitor;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.util.StringHelper;
import org.apache.camel.util.URISupport;

/**
 * An instance of the route template {@code tc-job-monitor} names the Kamelet's parameters
 * directly: a templatedRoute's {@code pageSize: 500} is the pageSize of the Kamelet
 * {@code tc-job-failures-source} its route starts from. The template declares only its own
 * parameters; this converter, which Camel applies to the template as it makes an instance, passes
 * every other parameter the instance gives on to that Kamelet endpoint. So a monitor's setting is
 * declared once, in the Kamelet's spec, and relayed by no list of the template's.
 */
public class InstanceParameters implements RouteTemplateDefinition.Converter, CamelContextAware {

    /** The template whose instances this converter makes. */
    static final String TEMPLATE = "tc-job-monitor";

    /** A value of the template's from-URI that relays one of its parameters whole: {@code RAW({{secretKey}})}. */
    private static final Pattern RELAYED_RAW = Pattern.compile("RAW\\(\\{\\{(\\w+)}}\\)");

    private CamelContext camelContext;

    /** Registers this converter for the template: called once, as the module's YAML beans are made. */
    public void register() {
        camelContext.getCamelContextExtension().getContextPlugin(Model.class)
                .addRouteTemplateDefinitionConverter(TEMPLATE, this);
    }

    @Override
    public RouteDefinition apply(RouteTemplateDefinition template, Map<String, Object> parameters) throws Exception {
        RouteDefinition route = template.asRouteDefinition();
        FromDefinition from = route.getInput();
        Set<String> notPassed = new HashSet<>();
        for (RouteTemplateParameterDefinition own : template.getTemplateParameters()) {
            notPassed.add(StringHelper.dashToCamelCase(own.getName()));
        }
        Object instance = parameters.get("name");
        String uri = relayedRaw(from.getUri(), instance, parameters);
        int query = uri.indexOf('?');
        if (query >= 0) {
            URISupport.parseQuery(uri.substring(query + 1)).keySet()
                    .forEach(key -> notPassed.add(StringHelper.dashToCamelCase(key)));
        }
        // Camel lists each parameter under its camelCase and kebab-case names: pass each once, camelCase
        Map<String, Object> passed = new TreeMap<>();
        parameters.forEach((key, value) -> {
            String name = StringHelper.dashToCamelCase(key);
            if (!notPassed.contains(name)) {
                passed.putIfAbsent(name, parameters.getOrDefault(name, value));
            }
        });
        StringJoiner more = new StringJoiner("&", query >= 0 ? "&" : "?", "");
        more.setEmptyValue("");
        passed.forEach((name, value) -> {
            String written = String.valueOf(value);
            more.add(name + "=" + raw(instance, name, written, resolved(written)));
        });
        from.setUri(uri + more);
        return route;
    }

    /**
     * The template's own relays in {@code RAW({{accessId}})} form, each in the form its value needs:
     * the credentials are relayed by the template's YAML, not passed by this converter, and a secret
     * key holding ")&" would be cut there as anywhere else.
     */
    private String relayedRaw(String uri, Object instance, Map<String, Object> parameters) {
        Matcher relay = RELAYED_RAW.matcher(uri);
        StringBuilder rewritten = new StringBuilder();
        while (relay.find()) {
            String name = relay.group(1);
            Object value = parameters.get(name);
            String form = value == null ? relay.group()
                    : raw(instance, name, "{{" + name + "}}", resolved(String.valueOf(value)));
            relay.appendReplacement(rewritten, Matcher.quoteReplacement(form));
        }
        relay.appendTail(rewritten);
        return rewritten.toString();
    }

    /**
     * As given, whatever its characters (a secret's '+' or '&'): placeholders in it are resolved first.
     * Camel ends RAW(...) at the first ")&" and RAW{...} at the first "}&" (a ')' or '}' elsewhere is
     * kept), so the form is chosen by those pairs; a value holding both would arrive cut, a wrong
     * setting whose rest became a parameter name in the URI (unmasked, for a secret's tail), and is
     * refused. The URI keeps the value as written ({@code {{soc.proxy-password}}}, resolved by Camel
     * with the URI); the form is chosen by what it resolves to. Never the value in the message: it
     * may be a secret.
     */
    private static String raw(Object instance, String name, String written, String value) {
        if (!value.contains(")&")) {
            return "RAW(" + written + ")";
        }
        if (!value.contains("}&")) {
            return "RAW{" + written + "}";
        }
        throw new IllegalArgumentException("the parameter " + name + " of the templatedRoute of " + TEMPLATE + " named '"
                + instance + "' holds both \")&\" and \"}&\": no endpoint URI passes such a value on to the Kamelet whole;"
                + " set it in the properties (the setting its default names) instead");
    }

    /**
     * What Camel will put in the URI for this value, as far as it is known now: the host's properties
     * are, the instance's parameters ({{name}}) are not yet (then the value as written).
     */
    private String resolved(String written) {
        if (camelContext == null || !written.contains("{{")) {
            return written;
        }
        try {
            return camelContext.resolvePropertyPlaceholders(written);
        } catch (RuntimeException notYet) {
            return written;
        }
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
