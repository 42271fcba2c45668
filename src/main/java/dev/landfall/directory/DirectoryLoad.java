package dev.landfall.directory;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.landfall.common.DeadLetter;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DeadLetterTrail;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.S3ObjectRef;
import org.apache.camel.Exchange;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The stages of one CSV drop's load, around the batch sink: {@link #read} parses it and works out the next
 * generation (only documents whose content changed are written), {@link #commit} switches to it once they are.
 * An older drop than the current generation's, or the same drop again, writes nothing.
 */
public final class DirectoryLoad {

    static final String PIPELINE = "directory";
    /** The exchange property holding the load between its stages. */
    public static final String PLAN = "landfallDirectory";

    /** What {@link #read} found: null {@code next} when nothing is to be loaded ({@code skipped} says why). */
    public record Plan(DirectorySource source, S3ObjectRef ref, long modifiedMillis, DirectoryStore.Pointer current,
                       DirectoryManifest currentManifest, DirectoryManifest next, List<Map<String, AttributeValue>> writes,
                       int changed, int gone, DirectoryCsv.Parsed parsed, String skipped, long started, long readNanos) {
        public String sourceName() {
            return source.name();
        }
    }

    private final List<DirectorySource> sources;
    private final S3Client s3;
    private final DirectoryStore store;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public DirectoryLoad(List<DirectorySource> sources, S3Client s3, DirectoryStore store, DeadLetterStore deadLetters,
                         PipelineMetrics metrics, Clock clock) {
        this.sources = List.copyOf(sources);
        this.s3 = s3;
        this.store = store;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Parses the drop and plans the next generation; the body becomes the items to write (often few). */
    public List<Map<String, AttributeValue>> read(S3ObjectRef ref, Exchange exchange) throws Exception {
        long started = System.nanoTime();
        DirectorySource source = sources.stream().filter(s -> s.matches(ref.bucket(), ref.key())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no directory source takes " + ref.source()));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(ref.bucket()).key(ref.key()));
        long modified = head.lastModified().toEpochMilli();
        DirectoryStore.Pointer current = store.pointer(source.name());
        if (current != null && (current.modifiedMillis() > modified
                || (current.modifiedMillis() == modified && current.eTag().equals(ref.eTag())))) {
            String why = current.eTag().equals(ref.eTag()) ? "it is the current generation's drop"
                    : "it is older than the current generation's drop (" + current.object() + ")";
            exchange.setProperty(PLAN, new Plan(source, ref, modified, current, null, null, List.of(), 0, 0, null, why, started, 0));
            return List.of();
        }
        DirectoryCsv.Parsed parsed;
        try (Reader in = new InputStreamReader(s3.getObject(b -> b.bucket(ref.bucket()).key(ref.key()).ifMatch("\"" + ref.eTag() + "\"")),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE))) {
            parsed = DirectoryCsv.read(in, source.documentKey(), source.memberKey(), source.types());
        }
        DirectoryManifest old = store.manifest(source.name(), current);
        long generation = current == null ? 1 : current.generation() + 1;
        long now = clock.millis();
        String updatedAt = java.time.Instant.ofEpochMilli(now).toString();
        TreeMap<String, DirectoryManifest.Entry> entries = new TreeMap<>();
        List<Map<String, AttributeValue>> writes = new ArrayList<>();
        int changed = 0;
        for (Map.Entry<String, SortedMap<String, String[]>> doc : parsed.rawDocuments().entrySet()) {
            String hash = parsed.hash(doc.getValue());
            DirectoryManifest.Entry was = old.get(doc.getKey());
            if (was != null && was.hash().equals(hash)) {
                entries.put(doc.getKey(), was);
                continue;
            }
            List<Map<String, AttributeValue>> parts = DirectoryDocuments.parts(parsed.typed(doc.getValue()), DirectoryDocuments.PART_BYTES);
            writes.addAll(DirectoryDocuments.items(doc.getKey(), hash, parts, generation, updatedAt));
            entries.put(doc.getKey(), new DirectoryManifest.Entry(hash, parts.size(), generation, now));
            changed++;
        }
        int gone = 0;
        for (String k : old.entries().keySet()) {
            if (!entries.containsKey(k)) {
                gone++;
            }
        }
        DirectoryManifest next = new DirectoryManifest(entries);
        String skipped = next.equals(old) ? "its documents are those of the current generation" : null;
        exchange.setProperty(PLAN, new Plan(source, ref, modified, current, old, skipped == null ? next : null, writes, changed,
                gone, parsed, skipped, started, System.nanoTime() - started));
        return writes;
    }

    /** After the changed documents are written: the switch to the new generation, the TTLs, the dead letter, the summary. */
    public void commit(Exchange exchange) {
        Plan plan = exchange.getProperty(PLAN, Plan.class);
        String name = plan.source().name();
        DirectoryStore.Pointer now = plan.current();
        int expired = 0;
        long committing = System.nanoTime();
        long switchedAt = committing;
        if (plan.next() != null) {
            String id = (plan.current() == null ? 1 : plan.current().generation() + 1) + "-"
                    + plan.ref().eTag().substring(0, Math.min(12, plan.ref().eTag().length()));
            int chunks = store.writeManifest(name, id, plan.next());
            DirectoryStore.Pointer next = new DirectoryStore.Pointer(plan.current() == null ? 1 : plan.current().generation() + 1,
                    id, chunks, plan.modifiedMillis(), plan.ref().eTag(), plan.ref().source(),
                    plan.current() == null ? null : plan.current().manifestId(), plan.current() == null ? 0 : plan.current().chunks(),
                    plan.current() == null);
            if (!store.switchTo(name, plan.current(), next)) {
                // another drop became current while this one loaded: read again (then skipped if that one is newer)
                throw new IllegalStateException("directory " + name + ": another load switched generations during this one; tried again");
            }
            now = next;
            switchedAt = System.nanoTime();
            expired = store.expireSuperseded(name, plan.source().table(), next, plan.next());
        } else if (plan.parsed() != null && now != null) {
            // read, and its documents are the current generation's: no document is written
            store.restamp(name, now, plan.modifiedMillis(), plan.ref().eTag(), plan.ref().source());
        }
        if (plan.next() == null && now != null && !now.cleaned()) {
            // a crash after the switch left the superseded documents without their TTL
            expired = store.expireSuperseded(name, plan.source().table(), now, store.manifest(name, now));
        }
        int bad = 0;
        if (plan.parsed() != null && !plan.parsed().bad().isEmpty()) {
            bad = plan.parsed().bad().size();
            deadLetter(exchange, plan);
        }
        long rows = plan.parsed() == null ? 0 : plan.parsed().rows();
        metrics.read(PIPELINE, rows);
        metrics.landed(PIPELINE, plan.writes().size());
        metrics.deadLettered(PIPELINE, bad);
        long ms = (System.nanoTime() - plan.started()) / 1_000_000;
        String summary = plan.skipped() != null && plan.next() == null
                ? String.format("directory %s: %s skipped: %s%s (generation %s) in %d ms", name, plan.ref().source(), plan.skipped(),
                rows > 0 ? ", rows=" + rows : "", now == null ? "none" : now.generation(), ms)
                : String.format("directory %s: %s rows=%d documents=%d changed=%d gone=%d items-written=%d bad-rows=%d expired=%d"
                        + " -> generation %d in %d ms (read %d, write %d, switch %d, expire %d)", name, plan.ref().source(), rows,
                plan.next().size(), plan.changed(), plan.gone(), plan.writes().size(), bad, expired, now.generation(), ms,
                plan.readNanos() / 1_000_000, (committing - plan.started() - plan.readNanos()) / 1_000_000,
                (switchedAt - committing) / 1_000_000, (System.nanoTime() - switchedAt) / 1_000_000);
        exchange.getMessage().setHeader("landfallSummary", summary);
    }

    private void deadLetter(Exchange exchange, Plan plan) {
        List<Map<String, Object>> listed = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (DirectoryCsv.Bad b : plan.parsed().bad()) {
            if (listed.size() < 1000) {
                listed.add(Map.of("kind", b.kind(), "reason", b.reason(), "lines", b.lines()));
            }
            if (text.length() <= DeadLetter.MAX_PAYLOAD_CHARS) {
                text.append(b.text()).append('\n');
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("bucket", plan.ref().bucket());
        details.put("key", plan.ref().key());
        details.put("eTag", plan.ref().eTag());
        details.put("rows", listed);
        DeadLetterStore.Stored stored = deadLetters.write(DeadLetter.of(PIPELINE, "bad-rows", plan.parsed().bad().size() + " of "
                + plan.parsed().rows() + " rows not loaded", plan.ref().source(), null, text.toString(), details));
        DeadLetterTrail.add(exchange, stored.key());
    }
}
