package dev.landfall.common.access;

import java.util.function.Supplier;

import dev.landfall.common.access.AccessControl.Decision;
import dev.landfall.common.access.AccessControl.Requirement;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management server's access (landfall.access.management = admin): every path but the health probes needs an admin
 * key, checked by a handler placed before the server's own (metrics, Jolokia, info). The probes stay open for the kubelet.
 */
public final class ManagementAccess {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementAccess.class);
    static final Requirement ADMIN = new Requirement("management", true);

    private ManagementAccess() {
    }

    /** Installs the check on the management server's router; false when there is no management server. */
    public static boolean install(CamelContext camel, Supplier<AccessControl> access) {
        ManagementHttpServer server = camel.hasService(ManagementHttpServer.class);
        if (server == null || server.getRouter() == null) {
            return false;
        }
        String health = server.getHealthPath();
        Router router = server.getRouter();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> check(ctx, health, access));
        LOG.info("Management endpoints other than {} need an admin key", health);
        return true;
    }

    private static void check(RoutingContext ctx, String healthPath, Supplier<AccessControl> access) {
        String path = ctx.normalizedPath();
        if (path.equals(healthPath) || path.startsWith(healthPath + "/")) {
            ctx.next();
            return;
        }
        HttpServerRequest request = ctx.request();
        String key = request.getHeader(AccessControl.HEADER);
        request.headers().remove(AccessControl.HEADER);
        // the decision may read DynamoDB: off the event loop, with the request paused until it is made
        request.pause();
        ctx.vertx().<Decision>executeBlocking(() -> access.get().check(key, ADMIN), false).onComplete(done -> {
            if (done.succeeded() && done.result().allowed()) {
                request.resume();
                ctx.next();
                return;
            }
            Decision d = done.succeeded() ? done.result() : Decision.unavailable();
            var response = ctx.response().setStatusCode(d.status()).putHeader("Content-Type", "application/json");
            d.headers().forEach(response::putHeader);
            request.resume();
            response.end(d.body());
        });
    }
}
