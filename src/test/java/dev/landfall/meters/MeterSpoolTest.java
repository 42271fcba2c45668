package dev.landfall.meters;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spool's files, lines and torn-line repair; the reading's JSON line; shards and phases. */
class MeterSpoolTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aReadingGoesToItsDevicesFileOfTheHourItWasPolledIn() throws Exception {
        MeterSpool spool = new MeterSpool(dir, "meter");
        Instant at = Instant.parse("2026-12-02T04:59:59.900Z");
        spool.append("000123", at, "{\"a\":1}");
        spool.append("000123", at.plusMillis(200), "{\"a\":2}");
        spool.close();
        assertThat(Files.readString(dir.resolve("2026-12-02-04/meter-000123-2026-12-02-04.jl"))).isEqualTo("{\"a\":1}\n");
        assertThat(Files.readString(dir.resolve("2026-12-02-05/meter-000123-2026-12-02-05.jl"))).isEqualTo("{\"a\":2}\n");
        assertThat(spool.hours()).containsExactly("2026-12-02-04", "2026-12-02-05");
        assertThat(spool.cloudIdOf("meter-a-b-c-2026-12-02-05.jl")).isEqualTo("a-b-c");
        assertThat(spool.cloudIdOf("other-a-2026-12-02-05.jl")).isNull();
        assertThat(spool.cloudIdOf("meter-2026-12-02-05.jl")).isNull();
    }

    @Test
    void aTornLastLineIsCutBackToTheLastWholeLine() throws Exception {
        Path f = dir.resolve("2026-12-02-04/meter-7-2026-12-02-04.jl");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"a\":1}\n{\"a\":2}\n{\"a\":");
        Path whole = dir.resolve("2026-12-02-04/meter-8-2026-12-02-04.jl");
        Files.writeString(whole, "{\"a\":1}\n");
        Path onlyTorn = dir.resolve("2026-12-02-04/meter-9-2026-12-02-04.jl");
        Files.writeString(onlyTorn, "{\"a\"");
        MeterSpool spool = new MeterSpool(dir, "meter");
        assertThat(spool.repair()).isEqualTo(2);
        assertThat(Files.readString(f)).isEqualTo("{\"a\":1}\n{\"a\":2}\n");
        assertThat(Files.readString(whole)).isEqualTo("{\"a\":1}\n");
        assertThat(Files.readString(onlyTorn)).isEmpty();
        assertThat(spool.repair()).isZero();
    }

    @Test
    void repairFindsTheLastNewlineAcrossBufferBoundaries() throws Exception {
        Random r = new Random(3);
        for (int round = 0; round < 50; round++) {
            Path f = dir.resolve("r" + round + ".jl");
            StringBuilder whole = new StringBuilder();
            int lines = r.nextInt(4);
            for (int i = 0; i < lines; i++) {
                whole.append("x".repeat(r.nextInt(20_000))).append('\n');
            }
            String torn = "y".repeat(r.nextInt(20_000));
            Files.writeString(f, whole + torn);
            MeterSpool.repair(f);
            assertThat(Files.readString(f)).isEqualTo(whole.toString());
        }
    }

    @Test
    void aSealedHourTakesNoMoreLines() throws Exception {
        MeterSpool spool = new MeterSpool(dir, "meter");
        Instant old = Instant.parse("2020-01-01T10:15:00Z");
        spool.append("1", old, "{\"a\":1}");
        List<Path> files = spool.seal("2020-01-01-10");
        assertThat(files).hasSize(1);
        spool.append("1", old.plusSeconds(1), "{\"a\":2}");
        spool.close();
        assertThat(Files.readString(files.get(0))).isEqualTo("{\"a\":1}\n");
        String hourNow = MeterSpool.hourOf(Instant.now());
        assertThat(Files.readString(dir.resolve(hourNow).resolve("meter-1-" + hourNow + ".jl"))).isEqualTo("{\"a\":2}\n");
    }

    @Test
    void theReadingsLineHasTheDocumentedFieldsAndOmitsAbsentOnes() throws Exception {
        MeterValues v = new MeterValues(Instant.parse("2026-12-02T04:00:01Z"), new BigDecimal("-0.125"), new BigDecimal("23540.808"),
                null, "0xd8d5b9000000abcd", "0x0013500100d4ad12");
        String line = new MeterReading("007", Instant.parse("2026-12-02T04:00:03.250Z"), v).toJsonLine();
        JsonNode n = JSON.readTree(line);
        assertThat(n.get("cloud_id").asText()).isEqualTo("007");
        assertThat(n.get("polled_at").asText()).isEqualTo("2026-12-02T04:00:03.250Z");
        assertThat(n.get("meter_time").asText()).isEqualTo("2026-12-02T04:00:01Z");
        assertThat(n.get("demand_kw").decimalValue()).isEqualByComparingTo("-0.125");
        assertThat(n.get("summation_delivered_kwh").decimalValue()).isEqualByComparingTo("23540.808");
        assertThat(n.has("summation_received_kwh")).isFalse();
        assertThat(n.get("device_mac").asText()).isEqualTo("0xd8d5b9000000abcd");
        assertThat(n.get("meter_mac").asText()).isEqualTo("0x0013500100d4ad12");
        assertThat(line).doesNotContain("\n");
        String odd = new MeterReading("a", Instant.EPOCH, new MeterValues(null, BigDecimal.ONE, null, null, "q\"\\\n", null)).toJsonLine();
        assertThat(JSON.readTree(odd).get("device_mac").asText()).isEqualTo("q\"\\\n");
    }

    @Test
    void shardsAndPhasesSpreadDevicesEvenly() {
        int shards = 32;
        long period = 6000;
        int[] perShard = new int[shards];
        int[] perSecond = new int[6];
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            String id = String.format("%06d", i);
            perShard[MeterDevice.shardOf(id, shards)]++;
            long phase = MeterDevice.phaseOf(id, period);
            assertThat(phase).isBetween(0L, period - 1);
            perSecond[(int) (phase / 1000)]++;
        }
        for (int c : perShard) {
            assertThat(c).isBetween(n / shards * 8 / 10, n / shards * 12 / 10);
        }
        for (int c : perSecond) {
            assertThat(c).isBetween(n / 6 * 9 / 10, n / 6 * 11 / 10);
        }
        assertThat(MeterDevice.shardOf("000123", shards)).isEqualTo(MeterDevice.shardOf("000123", shards));
    }

    @Test
    void cloudIdsAreStringsKeptAsGivenAndSafeInPaths() {
        assertThat(MeterDevice.checkCloudId("000123")).isEqualTo("000123");
        for (String bad : new String[] {"", "../x", "a/b", ".hidden", "a b", "x".repeat(65)}) {
            assertThatThrownBy(() -> MeterDevice.checkCloudId(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void credentialsOpenOnlyForTheirDeviceAndSurviveAKeyRotation() throws Exception {
        String keyset = DeviceCredentials.newKeyset();
        DeviceCredentials c = DeviceCredentials.of(keyset);
        byte[] sealed = c.seal("000123", "hunter2");
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("hunter2");
        assertThat(new String(c.open("000123", sealed))).isEqualTo("hunter2");
        assertThatThrownBy(() -> c.open("000124", sealed)).isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("hunter2");
        // rotation: a keyset with a new primary key still opens what the old one sealed
        var old = com.google.crypto.tink.TinkJsonProtoKeysetFormat.parseKeyset(keyset, com.google.crypto.tink.InsecureSecretKeyAccess.get());
        var rotated = com.google.crypto.tink.KeysetHandle.newBuilder(old)
                .addEntry(com.google.crypto.tink.KeysetHandle.generateEntryFromParameters(
                        com.google.crypto.tink.aead.PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary())
                .build();
        DeviceCredentials r = DeviceCredentials.of(com.google.crypto.tink.TinkJsonProtoKeysetFormat.serializeKeyset(rotated,
                com.google.crypto.tink.InsecureSecretKeyAccess.get()));
        assertThat(new String(r.open("000123", sealed))).isEqualTo("hunter2");
        byte[] resealed = r.seal("000123", "hunter2");
        assertThatThrownBy(() -> c.open("000123", resealed)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DeviceCredentials.of("{\"k\":\"s3cr3tmaterial\"}")).isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("s3cr3tmaterial");
    }

    @Test
    void withoutAKeysetNothingIsSealedOrOpenedAndTheReasonIsSaid() {
        DeviceCredentials none = DeviceCredentials.missing("landfall.meters.keyset is empty");
        assertThatThrownBy(() -> none.seal("1", "pw")).isInstanceOf(IllegalStateException.class).hasMessageContaining("keyset is empty");
        assertThatThrownBy(() -> none.open("1", new byte[40])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theLocalKeysetFileIsMadeOnceAndReadableByItsOwnerOnly() throws Exception {
        Path f = dir.resolve("k/meters-keyset.json");
        DeviceCredentials a = DeviceCredentials.ofLocalFile(f);
        byte[] sealed = a.seal("1", "pw");
        DeviceCredentials b = DeviceCredentials.ofLocalFile(f);
        assertThat(new String(b.open("1", sealed))).isEqualTo("pw");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    }

    @Test
    void statusCountsAndChanges() {
        MeterStatus s = MeterStatus.of(Map.of());
        assertThat(s.enter(DeviceState.OK, null, Instant.EPOCH)).isEqualTo(new MeterStatus.Change(null, DeviceState.OK));
        assertThat(s.enter(DeviceState.OK, null, Instant.EPOCH)).isNull();
        s.logged(Instant.parse("2026-01-01T00:00:00Z"));
        s.logged(Instant.parse("2026-01-01T00:00:06Z"));
        var item = s.takeChanges("9");
        assertThat(item.get(MeterStatus.TOTAL).n()).isEqualTo("2");
        assertThat(item.get(MeterStatus.FIRST).s()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(item.get(MeterStatus.LAST).s()).isEqualTo("2026-01-01T00:00:06Z");
        assertThat(s.takeChanges("9")).isNull();
        MeterStatus continued = MeterStatus.of(new HashMap<>(item));
        continued.logged(Instant.parse("2026-01-01T00:00:12Z"));
        assertThat(continued.takeChanges("9").get(MeterStatus.TOTAL).n()).isEqualTo("3");
        assertThat(continued.enter(DeviceState.UNREACHABLE, "connection refused", Instant.EPOCH))
                .isEqualTo(new MeterStatus.Change(DeviceState.OK, DeviceState.UNREACHABLE));
        assertThat(continued.takeChanges("9").get(MeterStatus.LAST_ERROR).s()).isEqualTo("connection refused");
    }

    /**
     * Every device's next slot waits in the poll timer's queue: 20,000 fit. Camel's default scheduled pool (the one the
     * poller had) refuses past 1,000, which at 10,000 gateways left most of them unpolled; shown here too.
     */
    @Test
    void thePollTimerHoldsASlotPerDeviceWhereCamelsDefaultPoolRefusedPastAThousand() throws Exception {
        try (org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            camel.start();
            java.util.concurrent.ScheduledExecutorService timer = MetersConfiguration.pollTimer(camel, this);
            for (int i = 0; i < 20_000; i++) {
                timer.schedule(() -> { }, 1, java.util.concurrent.TimeUnit.HOURS);
            }
            java.util.concurrent.ScheduledExecutorService defaults = camel.getExecutorServiceManager().newScheduledThreadPool(this, "default", 1);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 20_000; i++) {
                    defaults.schedule(() -> { }, 1, java.util.concurrent.TimeUnit.HOURS);
                }
            }).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        }
    }

    static void append(Path f, String s) throws Exception {
        Files.writeString(f, s, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
