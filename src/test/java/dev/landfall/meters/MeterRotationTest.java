package dev.landfall.meters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import dev.landfall.local.LocalServers;
import dev.landfall.testing.Aws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;

/** The rotation against S3Proxy: create-once, verified, the same bytes again, another replica's part of the hour. */
class MeterRotationTest {

    static final String BUCKET = "meters-rotation";

    @TempDir
    static Path dir;
    static LocalServers servers;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers"), EnumSet.of(LocalServers.Server.S3)));
        s3 = Aws.s3(servers);
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    static List<String> keys(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    @Test
    void closedHoursLandOnceAndOpenOnesWait() throws Exception {
        Path spoolDir = dir.resolve("spool");
        MeterSpool spool = new MeterSpool(spoolDir, "meter");
        MeterRotation rotation = new MeterRotation(spool, s3, BUCKET, "rainforest-logs/", Duration.ofMinutes(1));
        Instant old = Instant.parse("2026-11-30T22:10:00Z");
        spool.append("0042", old, "{\"n\":1}");
        spool.append("0042", old.plusSeconds(6), "{\"n\":2}");
        spool.append("0043", Instant.now(), "{\"n\":9}");

        MeterRotation.Summary s = rotation.rotate(Instant.now());
        assertThat(s.uploaded()).isEqualTo(1);
        String key = "rainforest-logs/0042/2026/11/30/meter-0042-2026-11-30-22.jl";
        assertThat(keys("rainforest-logs/")).containsExactly(key);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String()).isEqualTo("{\"n\":1}\n{\"n\":2}\n");
        assertThat(spoolDir.resolve("2026-11-30-22")).doesNotExist();
        assertThat(spool.hours()).containsExactly(MeterSpool.hourOf(Instant.now()));

        // a crash between upload and delete: the same bytes again are only deleted
        Path again = spoolDir.resolve("2026-11-30-22/meter-0042-2026-11-30-22.jl");
        Files.createDirectories(again.getParent());
        Files.writeString(again, "{\"n\":1}\n{\"n\":2}\n");
        s = rotation.rotate(Instant.now());
        assertThat(s.uploaded()).isZero();
        assertThat(s.alreadyThere()).isEqualTo(1);
        assertThat(again).doesNotExist();
        assertThat(keys("rainforest-logs/")).containsExactly(key);

        // the same hour from another replica: the hour's next part
        Files.createDirectories(again.getParent());
        Files.writeString(again, "{\"n\":3}\n");
        assertThat(rotation.rotate(Instant.now()).uploaded()).isEqualTo(1);
        assertThat(keys("rainforest-logs/")).containsExactly(key, "rainforest-logs/0042/2026/11/30/meter-0042-2026-11-30-22.part2.jl");
        spool.close();
    }
}
