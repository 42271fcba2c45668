package dev.landfall.landing;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import static org.assertj.core.api.Assertions.assertThat;

class LandingItemsTest {

    static final ObjectMapper JSON = LandingRecords.JSON;

    static ObjectNode obj(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void uuidV5MatchesRfc9562sExample() {
        // RFC 9562 appendix A.4: v5 of "www.example.com" in the DNS namespace
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertThat(LandingItems.v5(dns, "www.example.com")).isEqualTo(UUID.fromString("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
    }

    @Test
    void theIdentityIsTheSourceAndTheNaturalKeyInOrder() throws Exception {
        String a = LandingItems.identity("s", List.of("store", "sku"), obj("{\"store\":\"1\",\"sku\":\"9\",\"price\":3}")).uuid();
        String b = LandingItems.identity("s", List.of("store", "sku"), obj("{\"sku\":\"9\",\"store\":\"1\",\"price\":4}")).uuid();
        String other = LandingItems.identity("t", List.of("store", "sku"), obj("{\"store\":\"1\",\"sku\":\"9\"}")).uuid();
        assertThat(a).isEqualTo(b).isNotEqualTo(other);
        assertThat(UUID.fromString(a).version()).isEqualTo(5);
        assertThat(LandingItems.identity("s", List.of("store", "sku"), obj("{\"store\":\"1\"}")).missing()).contains("'sku'");
        assertThat(LandingItems.identity("s", List.of("sku"), obj("{\"sku\":\"\"}")).uuid()).isNull();
        // no key fields: the whole content, whatever its key order
        assertThat(LandingItems.identity("s", List.of(), obj("{\"a\":1,\"b\":2}")).uuid())
                .isEqualTo(LandingItems.identity("s", List.of(), obj("{\"b\":2,\"a\":1}")).uuid());
    }

    @Test
    void theChangeHashLooksOnlyAtTheChangeFields() throws Exception {
        List<String> change = List.of("price", "title");
        String h1 = LandingItems.changeHash(change, obj("{\"price\":3,\"title\":\"x\",\"seen\":1}"));
        String h2 = LandingItems.changeHash(change, obj("{\"title\":\"x\",\"price\":3,\"seen\":2}"));
        String h3 = LandingItems.changeHash(change, obj("{\"price\":4,\"title\":\"x\"}"));
        assertThat(h1).isEqualTo(h2).isNotEqualTo(h3).hasSize(32);
        assertThat(LandingItems.changeHash(List.of(), obj("{\"a\":1}"))).isNotEqualTo(LandingItems.changeHash(List.of(), obj("{\"a\":2}")));
        // a missing change field is null, not absent from the hash
        assertThat(LandingItems.changeHash(change, obj("{\"price\":null}"))).isEqualTo(LandingItems.changeHash(change, obj("{}")));
    }

    @Test
    void recordsAreTypedAsDynamoDbAttributes() throws Exception {
        AttributeValue v = LandingItems.record(obj("{\"s\":\"007\",\"n\":1.50,\"b\":true,\"z\":null,\"l\":[1,\"a\"],\"m\":{\"k\":2},"
                + "\"huge\":1e400}"), LandingSource.Format.JSONL);
        assertThat(v.m().get("s").s()).isEqualTo("007");
        assertThat(v.m().get("n").n()).isEqualTo("1.50");
        assertThat(v.m().get("b").bool()).isTrue();
        assertThat(v.m().get("z").nul()).isTrue();
        assertThat(v.m().get("l").l()).hasSize(2);
        assertThat(v.m().get("m").m().get("k").n()).isEqualTo("2");
        assertThat(v.m().get("huge").s()).isNotNull();
        AttributeValue c = LandingItems.record(obj("{\"id\":\"007\",\"price\":\"3.5\",\"ok\":\"TRUE\"}"), LandingSource.Format.CSV);
        assertThat(c.m().get("id").s()).isEqualTo("007");
        assertThat(c.m().get("price").n()).isEqualTo("3.5");
        assertThat(c.m().get("ok").bool()).isTrue();
    }

    @Test
    void uploadDatesSortByTimeThenVersionThenLine() {
        String a = LandingItems.uploadDate("2026-01-02T03:04:05Z", "v1", 9);
        String b = LandingItems.uploadDate("2026-01-02T03:04:05Z", "v1", 10);
        String c = LandingItems.uploadDate("2026-01-03T00:00:00Z", "v0", 1);
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
    }

    @Property(tries = 300)
    void canonicalJsonIgnoresKeyOrder(@ForAll String k1, @ForAll String k2, @ForAll int v1, @ForAll String v2) {
        net.jqwik.api.Assume.that(!k1.equals(k2 + "x"));
        ObjectNode a = JSON.createObjectNode();
        a.put(k1, v1);
        a.put(k2 + "x", v2);
        ObjectNode b = JSON.createObjectNode();
        b.put(k2 + "x", v2);
        b.put(k1, v1);
        assertThat(LandingItems.canonical(a)).isEqualTo(LandingItems.canonical(b));
    }
}
