package dev.landfall.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Small helpers the bench mains share. */
final class BenchSupport {

    private BenchSupport() {
    }

    static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    /** The machine the figures were taken on (load now, heap, cores, JVM, time), added to a bench result. */
    static void putMachine(Map<String, Object> result) {
        result.put("systemLoadAverage", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        result.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        result.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        result.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        result.put("timestamp", Instant.now().toString());
    }

    /** Writes {@code <out>/<name>.json}, prints the bench's one line and exits with its code. */
    static void finish(Path out, String name, Map<String, Object> result, String line, int exit) throws IOException {
        Files.createDirectories(out);
        Path json = out.resolve(name + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), result);
        System.out.println(line + "  -> " + json);
        // DynamoDB Local can leave non-daemon threads behind
        System.exit(exit);
    }

    /**
     * Waits until this JVM (app, local servers, load generator) is quiet: its CPU over the last second below
     * {@code cores}, at most {@code maxSeconds}; returns the seconds waited. A start-up's tail (JIT, first polls, the
     * cluster's first ticks) is then not counted in the figure taken next.
     */
    static double settle(double cores, int maxSeconds) {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long start = System.nanoTime();
        long[] last = {os.getProcessCpuTime(), System.nanoTime()};
        try {
            org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofSeconds(1)).pollInterval(java.time.Duration.ofSeconds(1))
                    .atMost(java.time.Duration.ofSeconds(maxSeconds)).until(() -> {
                        long cpu = os.getProcessCpuTime();
                        long now = System.nanoTime();
                        double used = (cpu - last[0]) / (double) (now - last[1]);
                        last[0] = cpu;
                        last[1] = now;
                        return used < cores;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException busy) {
            // still busy after maxSeconds: measure anyway
        }
        return round((System.nanoTime() - start) / 1e9, 1);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
