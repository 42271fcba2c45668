package dev.landfall.pageviews;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Lines per second {@link S3AccessLogParser} parses on one core, over a log from
 * {@code gen_s3_access_log.py 1000000 7} ({@code ./mvnw -Pjmh}; the score is lines/s).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// a JVM sized for one CPU collects garbage with the serial collector, so collection time counts in the score
@Fork(value = 1, jvmArgsAppend = "-XX:ActiveProcessorCount=1")
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
public class S3AccessLogParserBenchmark {

    private static final int BATCH = 10_000;
    private static final String LINES = "1000000";
    private static final String SEED = "7";

    private String[] lines;
    private int next;

    @Setup
    public void loadLog() throws IOException, InterruptedException {
        Path log = Path.of(System.getProperty("landfall.bench.log", "target/bench/s3-access-1000000-7.log"));
        if (Files.notExists(log)) {
            generate(log, Path.of(System.getProperty("landfall.bench.generator", "../shared/data/gen_s3_access_log.py")));
        }
        lines = Files.readAllLines(log, StandardCharsets.UTF_8).toArray(String[]::new);
        for (String line : lines) {
            // a benchmark over rejected lines would measure the wrong path
            if (S3AccessLogParser.parse(line) instanceof S3AccessLogParser.Rejected rejected) {
                throw new IllegalStateException(rejected.reason() + ": " + line);
            }
        }
    }

    private static void generate(Path log, Path generator) throws IOException, InterruptedException {
        Path dir = log.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, log.getFileName().toString(), ".partial");
        Process python = new ProcessBuilder("python3", generator.toString(), LINES, SEED)
                .redirectOutput(partial.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (python.waitFor() != 0) {
            Files.deleteIfExists(partial);
            throw new IOException("python3 " + generator + " exited with " + python.exitValue());
        }
        Files.move(partial, log, StandardCopyOption.ATOMIC_MOVE);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void parseLines(Blackhole blackhole) {
        int i = next;
        for (int n = 0; n < BATCH; n++) {
            blackhole.consume(S3AccessLogParser.parse(lines[i]));
            if (++i == lines.length) {
                i = 0;
            }
        }
        next = i;
    }
}
