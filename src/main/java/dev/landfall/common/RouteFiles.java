package dev.landfall.common;

import java.nio.file.Path;

import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.PackageScanResourceResolver;
import org.apache.camel.support.service.ServiceHelper;

/**
 * The route files besides those camel-main loads itself: finds {@code classpath:routes/} from the jar's index, and
 * loads the user's directory ({@code landfall.routes.*}) and keeps it in step while Landfall runs. Named in
 * {@code camel.main.routes-builder-classes}, which camel-main creates before it resolves the route include pattern.
 */
public class RouteFiles extends RouteBuilder {

    @PropertyInject("landfall.routes.dir")
    String dir;

    @PropertyInject("landfall.routes.reload")
    boolean reload;

    @PropertyInject("landfall.routes.scan-interval-ms")
    long scanIntervalMs;

    @Override
    public void setCamelContext(CamelContext context) {
        super.setCamelContext(context);
        installResolver(context);
    }

    /** Installs the resolver before camel-main first reads the route files (its modeline pre-parse, then the routes). */
    public static final class InstallResolver extends org.apache.camel.main.MainListenerSupport {
        @Override
        public void beforeConfigure(org.apache.camel.main.BaseMainSupport main) {
            installResolver(main.getCamelContext());
        }
    }

    /** Before camel-main resolves camel.main.routes-include-pattern. */
    public static void installResolver(CamelContext context) {
        if (!(context.getCamelContextExtension().getContextPlugin(PackageScanResourceResolver.class) instanceof JarIndexResourceResolver)) {
            JarIndexResourceResolver resolver = new JarIndexResourceResolver();
            resolver.setCamelContext(context);
            ServiceHelper.initService(resolver);
            context.getCamelContextExtension().addContextPlugin(PackageScanResourceResolver.class, resolver);
        }
    }

    @Override
    public void configure() throws Exception {
        if (dir == null || dir.isBlank()) {
            // Path.of("") would be the working directory and everything below it
            throw new IllegalArgumentException("landfall.routes.dir is empty: name the directory of the route files");
        }
        RouteDirectoryReloadStrategy strategy = new RouteDirectoryReloadStrategy(Path.of(dir), reload, scanIntervalMs);
        getCamelContext().addService(strategy);
        // user routes may name the templates and beans of the application: they are loaded once it has started
        getCamelContext().addStartupListener(strategy);
    }
}
