package dev.landfall.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.management.OperatingSystemMXBean;
import dev.landfall.local.LocalServers;
import dev.landfall.testing.AppProcess;
import dev.landfall.testing.Aws;
import dev.landfall.testing.S3Events;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import static dev.landfall.bench.BenchSupport.deleteTree;
import static dev.landfall.bench.BenchSupport.round;
import static org.awaitility.Awaitility.await;

/**
 * Objects per second of the SQS path with 1 and with 3 packaged-jar replicas on the same local servers: 300 log
 * objects (20 page views each) announced on SQS, timed from the first message sent to the last item in DynamoDB.
 * Also the CPU seconds the servers (this JVM: DynamoDB Local, S3Proxy, ElasticMQ) and the replicas used, to say what
 * limits it on this machine. Writes {@code target/bench/scale-out.json}.
 * <p>
 * Run with {@code ./mvnw -B -Pbench package -DskipTests exec:exec@bench-scale-out} (it needs the packaged jar).
 */
public final class ScaleOutBench {

    static final String NAME = "scale-out";
    static final String LOGS = "landfall-site-logs";
    static final String QUEUE = "landfall-site-log-events";

    private ScaleOutBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        int objects = Integer.getInteger("bench.objects", 300);
        int views = Integer.getInteger("bench.views", 20);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", NAME);
        result.put("objects", objects);
        result.put("viewsPerObject", views);
        int exit = 1;
        try {
            // a first, untimed round: the servers run in this JVM, and the first round would pay their JIT warm-up
            run(out.resolve("work-" + NAME + "-warm-up"), 1, objects / 3, views);
            Map<String, Object> one = run(out.resolve("work-" + NAME + "-1"), 1, objects, views);
            Map<String, Object> three = run(out.resolve("work-" + NAME + "-3"), 3, objects, views);
            result.put("replicas1", one);
            result.put("replicas3", three);
            double speedUp = (double) three.get("objectsPerSecond") / (double) one.get("objectsPerSecond");
            result.put("speedUp", round(speedUp, 2));
            result.put("note", "2 cores for everything: the servers' CPU share shows what limits it");
            BenchSupport.putMachine(result);
            exit = 0;
        } catch (Exception | Error e) {
            result.put("error", String.valueOf(e));
            e.printStackTrace();
        }
        String line = result.containsKey("error") ? "bench " + NAME + ": FAIL " + result.get("error")
                : String.format("bench %s: %d objects on SQS: 1 replica %s objects/s, 3 replicas %s objects/s (x%s); "
                        + "CPU s servers/replicas: 1 -> %s/%s, 3 -> %s/%s", NAME, objects,
                ((Map<?, ?>) result.get("replicas1")).get("objectsPerSecond"), ((Map<?, ?>) result.get("replicas3")).get("objectsPerSecond"),
                result.get("speedUp"),
                ((Map<?, ?>) result.get("replicas1")).get("serverCpuSeconds"), ((Map<?, ?>) result.get("replicas1")).get("replicaCpuSeconds"),
                ((Map<?, ?>) result.get("replicas3")).get("serverCpuSeconds"), ((Map<?, ?>) result.get("replicas3")).get("replicaCpuSeconds"));
        BenchSupport.finish(out, NAME, result, line, exit);
    }

    static Map<String, Object> run(Path work, int replicas, int objects, int views) throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        Map<String, Object> r = new LinkedHashMap<>();
        try (LocalServers servers = LocalServers.start(LocalServers.Options.forTests(work.resolve("servers")));
             S3Client s3 = Aws.s3(servers); DynamoDbClient ddb = Aws.dynamoDb(servers); SqsClient sqs = Aws.sqs(servers)) {
            List<AppProcess> apps = new ArrayList<>();
            try {
                for (int i = 0; i < replicas; i++) {
                    Map<String, String> props = AppProcess.baseProperties(servers, work.resolve("r" + i));
                    props.put("landfall.page-views.arrivals.poll", "false");
                    props.put("landfall.page-views.arrivals.sqs", "true");
                    apps.add(AppProcess.start(NAME + "-" + replicas + "-r" + i, props, AppProcess.DEFAULT_JVM_FLAGS));
                }
                for (AppProcess app : apps) {
                    app.awaitHealthy(Duration.ofSeconds(120));
                }
                List<String> keys = S3Events.putViewLogs(s3, LOGS, "BENCH", objects, views, "bench");
                OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long serverCpu0 = os.getProcessCpuTime();
                List<Long> appCpu0 = apps.stream().map(ScaleOutBench::cpuNanos).toList();
                long started = System.nanoTime();
                S3Events.announceEach(sqs, QUEUE, s3, LOGS, keys);
                long total = (long) objects * views;
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> ddb.scanPaginator(b -> b.tableName("landfall-page-views").select(Select.COUNT)).stream()
                                .mapToLong(x -> x.count()).sum() == total);
                double seconds = (System.nanoTime() - started) / 1e9;
                double serverCpu = (os.getProcessCpuTime() - serverCpu0) / 1e9;
                double appCpu = 0;
                for (int i = 0; i < apps.size(); i++) {
                    appCpu += (cpuNanos(apps.get(i)) - appCpu0.get(i)) / 1e9;
                }
                List<Integer> perReplica = new ArrayList<>();
                for (AppProcess app : apps) {
                    perReplica.add(app.logLines("page views: s3://" + LOGS).size());
                }
                r.put("replicas", replicas);
                r.put("seconds", round(seconds, 2));
                r.put("objectsPerSecond", round(objects / seconds, 1));
                r.put("itemsPerSecond", Math.round(total / seconds));
                r.put("objectsPerReplica", perReplica);
                r.put("serverCpuSeconds", round(serverCpu, 1));
                r.put("replicaCpuSeconds", round(appCpu, 1));
                r.put("cpuUsedOfTwoCores", round((serverCpu + appCpu) / (2 * seconds), 2));
                System.out.printf("bench %s: %d replica(s): %s%n", NAME, replicas, r);
            } finally {
                apps.forEach(AppProcess::close);
            }
        }
        return r;
    }

    private static long cpuNanos(AppProcess app) {
        return ProcessHandle.of(app.pid()).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }
}
