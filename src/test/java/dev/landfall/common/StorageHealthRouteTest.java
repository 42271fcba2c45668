package dev.landfall.common;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.FreePorts;
import dev.landfall.testing.LandfallApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/** Health answers at once from the last storage check, however slow S3 is: no health request waits on storage. */
class StorageHealthRouteTest {

    @TempDir
    static Path dir;
    static LocalServers servers;
    static LandfallApp app;
    static int managementPort;
    static final StalledHeadBucket stall = new StalledHeadBucket();

    /** Holds every HeadBucket call (the storage check's) until released, as an S3 that stopped answering would. */
    static final class StalledHeadBucket implements ExecutionInterceptor {
        volatile CountDownLatch gate;
        final AtomicInteger held = new AtomicInteger();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            CountDownLatch g = gate;
            if (g != null && context.request() instanceof HeadBucketRequest) {
                held.incrementAndGet();
                try {
                    g.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers"), LocalServers.Server.forApp()));
        Map<String, String> props = LandfallApp.testProperties(servers, dir.resolve("app"));
        managementPort = FreePorts.next();
        props.put("camel.management.port", Integer.toString(managementPort));
        props.put("landfall.health.storage-refresh-ms", "200");
        app = LandfallApp.start(props, Map.of("stalledHeadBucket", stall));
    }

    @AfterAll
    static void stop() throws Exception {
        CountDownLatch g = stall.gate;
        if (g != null) {
            g.countDown();
        }
        if (app != null) {
            app.close();
        }
        servers.close();
    }

    static HttpResponse<String> ready() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/observe/health/ready")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessAnswersAtOnceWhileTheStorageCheckHangs() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> ready().statusCode() == 200);
        stall.gate = new CountDownLatch(1);
        // the storage check, run in the background, is now stuck on S3 (with a check per request, nothing would be)
        await().atMost(Duration.ofSeconds(10)).until(() -> stall.held.get() > 0);
        for (int i = 0; i < 20; i++) {
            long started = System.nanoTime();
            HttpResponse<String> r = ready();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("health request " + i).isLessThan(Duration.ofSeconds(1));
            assertThat(r.statusCode()).isEqualTo(200);
        }
        stall.gate.countDown();
        stall.gate = null;
    }
}
