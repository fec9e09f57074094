package dev.tcjobmonitor.monitor;

import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kamelet.Kamelet;
import org.apache.camel.model.BeanFactoryDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.util.StringHelper;

/**
 * The parameters a route gave the Kamelet that it does not have: Camel takes any name and ignores
 * it, so a misspelt {@code pagesize} in a Kamelet URI or a templatedRoute would leave the monitor
 * on the default without a word. Read, like the parameters themselves, while Camel creates the
 * Kamelet's route (its parameters are the properties component's local properties then).
 */
final class UnknownParameters {

    /** Parameters Camel gives every Kamelet route itself. */
    private static final Set<String> CAMELS_OWN = Set.of(Kamelet.PARAM_TEMPLATE_ID, Kamelet.PARAM_ROUTE_ID,
            Kamelet.PARAM_UUID, Kamelet.PARAM_LOCATION, Kamelet.PARENT_ROUTE_ID, Kamelet.PARENT_PROCESSOR_ID,
            Kamelet.NO_ERROR_HANDLER, Kamelet.BRIDGE_ERROR_HANDLER);

    private UnknownParameters() {
    }

    /** The unknown names, sorted; none when the Kamelet's definition cannot be found. */
    static Set<String> of(CamelContext context) {
        Set<String> unknown = new TreeSet<>();
        Properties given = context == null ? null : context.getPropertiesComponent().getLocalProperties();
        Model model = context == null ? null : context.getCamelContextExtension().getContextPlugin(Model.class);
        String templateId = given == null ? null : given.getProperty(Kamelet.PARAM_TEMPLATE_ID);
        RouteTemplateDefinition kamelet = model == null || templateId == null ? null : model.getRouteTemplateDefinition(templateId);
        if (kamelet == null) {
            return unknown;
        }
        Set<String> known = new HashSet<>(CAMELS_OWN);
        for (RouteTemplateParameterDefinition parameter : kamelet.getTemplateParameters()) {
            known.add(StringHelper.dashToCamelCase(parameter.getName()));
        }
        if (kamelet.getTemplateBeans() != null) {
            // Camel lists the Kamelet's own beans among its parameters
            for (BeanFactoryDefinition<?> bean : kamelet.getTemplateBeans()) {
                known.add(StringHelper.dashToCamelCase(bean.getName()));
            }
        }
        for (String name : given.stringPropertyNames()) {
            if (!known.contains(StringHelper.dashToCamelCase(name))) {
                unknown.add(name);
            }
        }
        return unknown;
    }
}
