package dev.landfall;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import dev.landfall.testing.AppProcess;
import dev.landfall.testing.WithLocalServers;
import dev.landfall.testing.FacilityFeed;
import dev.landfall.testing.FreePorts;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The packaged app's route statistics over remote JMX, its Prometheus metrics and its health endpoint. */
class JmxRemoteIT extends WithLocalServers {

    @Test
    void routeStatisticsAreReadableOverRemoteJmx() throws Exception {
        FacilityFeed feed = new FacilityFeed(servers, "jmx");
        Map<String, String> props = AppProcess.baseProperties(servers, dir.resolve("app"));
        props.putAll(feed.routeProperties(300));
        int jmxPort = FreePorts.next();
        List<String> jvm = new ArrayList<>(AppProcess.DEFAULT_JVM_FLAGS);
        jvm.addAll(List.of(
                "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false",
                "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.host=127.0.0.1"));

        try (AppProcess app = AppProcess.start("jmx", props, jvm).awaitHealthy(Duration.ofSeconds(90))) {
            feed.append(feed.randomRows(new Random(7), 500, List.of("201611", "201612")));

            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            try (JMXConnector jmx = JMXConnectorFactory.connect(url)) {
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                Set<ObjectName> merge = mbeans.queryNames(new ObjectName(AppProcess.routeMBean("facility-logs-merge")), null);
                assertThat(merge).as(app.logPath().toString()).hasSize(1);
                ObjectName route = merge.iterator().next();
                await("ExchangesCompleted over JMX, log " + app.logPath()).atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> ((Number) mbeans.getAttribute(route, "ExchangesCompleted")).longValue() >= 1);
            }
            await().atMost(Duration.ofSeconds(10)).ignoreException(NoSuchKeyException.class)
                    .untilAsserted(() -> assertThat(feed.differences(feed.landed(s3))).isEmpty());

            HttpResponse<String> metrics = app.get("/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("landfall_records_total").contains("outcome=\"landed\"");
            HttpResponse<String> health = app.get("/observe/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(app.healthStatus()).isEqualTo("UP");

            app.stop();
            assertThat(app.isAlive()).isFalse();
            assertThat(app.log()).as(app.logPath().toString()).contains("(landfall) shutdown");
        }
    }
}
