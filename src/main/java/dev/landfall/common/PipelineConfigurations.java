package dev.landfall.common;

import java.util.TreeSet;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Adds the configuration class that each pipeline names in its own block of application.properties
 * ({@code landfall.<pipeline>.configuration = <class>}), so adding a pipeline edits no shared list.
 * <p>
 * Camel's base package scan would find them too, but it reads the whole fat jar: seconds at every start.
 */
public final class PipelineConfigurations extends MainListenerSupport {

    static final String SUFFIX = ".configuration";

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext camel = main.getCamelContext();
        PropertiesComponent props = camel.getPropertiesComponent();
        // sorted, so that the configurations are added in the same order on every start
        for (String key : new TreeSet<>(props.loadProperties(PipelineConfigurations::isConfigurationKey).stringPropertyNames())) {
            String className = props.resolveProperty(key).map(String::trim).orElse("");
            if (!className.isEmpty()) {
                try {
                    main.configure().addConfiguration(camel.getClassResolver().resolveMandatoryClass(className, CamelConfiguration.class));
                } catch (ClassNotFoundException e) {
                    throw new IllegalArgumentException(key + " names " + className + ", which is not on the classpath", e);
                }
            }
        }
    }

    static boolean isConfigurationKey(String key) {
        return key.startsWith("landfall.") && key.endsWith(SUFFIX);
    }

    /** A pipeline's property, trimmed; {@code fallback} when it is absent or empty. */
    public static String property(org.apache.camel.CamelContext camel, String key, String fallback) {
        return camel.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty()).orElse(fallback);
    }

    /** A comma-separated value as its distinct, trimmed, non-empty items, in order. */
    public static java.util.List<String> list(String csv) {
        return java.util.Arrays.stream(csv.split(",")).map(String::trim).filter(v -> !v.isEmpty()).distinct().toList();
    }
}
