package dev.landfall.landing;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import dev.landfall.common.DeadLetter;
import dev.landfall.common.DeadLetterStore;
import dev.landfall.common.DeadLetterTrail;
import dev.landfall.common.PipelineMetrics;
import dev.landfall.common.S3ObjectRef;
import org.apache.camel.Exchange;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The stages of landing one object: {@link #copy} it server-side to the landing bucket's {@code raw/} (once per object
 * version), {@link #clean} it (gunzip, decode, to {@code clean/}) and hand its records on in pages, {@link #changes}
 * keeps of a page the records that are new or changed against their latest versions, {@link #advance} moves those
 * latest versions forward once the page is written, and {@link #finish} logs the summary and writes the dead letter.
 */
public final class LandingLoad {

    public static final String PIPELINE = "landing";
    /** The exchange property holding the object's run between the stages. */
    public static final String RUN = "landfallLanding";
    /** The page's latest versions to advance once it is written (a property of the page's exchange). */
    public static final String ADVANCE = "landfallLandingAdvance";
    public static final String META_BUCKET = "landfall-source-bucket";
    public static final String META_KEY = "landfall-source-key";
    public static final String META_ETAG = "landfall-source-etag";
    public static final String META_VERSION = "landfall-source-version-id";
    static final long MAX_COPY_BYTES = 5L * 1024 * 1024 * 1024;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    private static final int MAX_LISTED = 1000;

    /** Sizes and places the load works with. */
    public record Settings(String landingBucket, long multipartCopyBytes, long partBytes, long maxParseBytes, int pageRecords, Path workDir) {
    }

    private final List<LandingSource> sources;
    private final S3Client s3;
    private final LandingStore store;
    private final DeadLetterStore deadLetters;
    private final PipelineMetrics metrics;
    private final Settings settings;

    public LandingLoad(List<LandingSource> sources, S3Client s3, LandingStore store, DeadLetterStore deadLetters,
                       PipelineMetrics metrics, Settings settings) {
        this.sources = List.copyOf(sources);
        this.s3 = s3;
        this.store = store;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.settings = settings;
        // spool files of loads a crash cut short (their objects are landed again from S3)
        if (Files.isDirectory(settings.workDir())) {
            try (var old = Files.list(settings.workDir())) {
                for (Path p : old.filter(f -> f.getFileName().toString().endsWith(".txt")).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One object's landing: where its copies are, what its records came to. */
    public static final class Run {
        final LandingSource source;
        final S3ObjectRef ref;
        final long started = System.nanoTime();
        String version;
        String lastModified;
        long size;
        long copyNanos;
        long cleanNanos;
        String rawKey;
        String cleanKey;
        boolean copied;
        boolean gzipped;
        String charset;
        long replaced;
        long records;
        long created;
        long changed;
        long unchanged;
        long older;
        long written;
        long bad;
        String notParsed;
        String damaged;
        Path text;
        final List<Map<String, Object>> listed = new ArrayList<>();
        final StringBuilder badText = new StringBuilder();

        Run(LandingSource source, S3ObjectRef ref) {
            this.source = source;
            this.ref = ref;
        }

        public String sourceName() {
            return source.name();
        }

        synchronized void bad(long line, String reason, String text) {
            bad++;
            if (listed.size() < MAX_LISTED) {
                listed.add(Map.of("line", line, "reason", reason));
            }
            if (text != null && badText.length() <= DeadLetter.MAX_PAYLOAD_CHARS) {
                badText.append(text).append('\n');
            }
        }
    }

    /** The object's copy in the landing bucket's raw/ (server-side, with its origin as metadata), once per version. */
    public void copy(S3ObjectRef ref, Exchange exchange) {
        LandingSource source = sources.stream().filter(s -> s.matches(ref.bucket(), ref.key())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no landing source takes " + ref.source()));
        Run run = new Run(source, ref);
        exchange.setProperty(RUN, run);
        HeadObjectResponse head = s3.headObject(b -> b.bucket(ref.bucket()).key(ref.key()).ifMatch("\"" + ref.eTag() + "\""));
        run.version = head.versionId() != null && !head.versionId().isEmpty() && !"null".equals(head.versionId())
                ? head.versionId() : ref.eTag();
        run.lastModified = head.lastModified().toString();
        run.size = head.contentLength();
        String layout = source.name() + "/" + DAY.format(head.lastModified()) + "/" + safe(run.version) + "/" + ref.key();
        run.rawKey = "raw/" + layout;
        run.cleanKey = "clean/" + layout;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_BUCKET, ref.bucket());
        meta.put(META_KEY, URLEncoder.encode(ref.key(), StandardCharsets.UTF_8));
        meta.put(META_ETAG, ref.eTag());
        meta.put(META_VERSION, head.versionId() == null ? "" : head.versionId());
        if (landed(run.rawKey, ref.eTag())) {
            run.copyNanos = System.nanoTime() - run.started;
            return;
        }
        if (run.size > settings.multipartCopyBytes()) {
            multipartCopy(ref, run.rawKey, run.size, meta, head.contentType());
        } else {
            s3.copyObject(b -> b.sourceBucket(ref.bucket()).sourceKey(ref.key()).copySourceIfMatch("\"" + ref.eTag() + "\"")
                    .destinationBucket(settings.landingBucket()).destinationKey(run.rawKey)
                    .metadataDirective(MetadataDirective.REPLACE).metadata(meta).contentType(head.contentType()));
        }
        run.copied = true;
        run.copyNanos = System.nanoTime() - run.started;
    }

    private boolean landed(String key, String eTag) {
        try {
            HeadObjectResponse h = s3.headObject(b -> b.bucket(settings.landingBucket()).key(key));
            return eTag.equals(h.metadata().get(META_ETAG));
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** CopyObject takes at most 5 GB: larger objects are copied in parts (UploadPartCopy), the parts side by side. */
    void multipartCopy(S3ObjectRef ref, String key, long size, Map<String, String> meta, String contentType) {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(settings.landingBucket()).key(key).metadata(meta)
                .contentType(contentType)).uploadId();
        try {
            long part = Math.max(5L * 1024 * 1024, Math.min(MAX_COPY_BYTES, settings.partBytes()));
            List<CompletedPart> parts = new ArrayList<>();
            int n = 1;
            for (long from = 0; from < size; from += part, n++) {
                long to = Math.min(size, from + part) - 1;
                int number = n;
                String range = "bytes=" + from + "-" + to;
                String eTag = s3.uploadPartCopy(b -> b.sourceBucket(ref.bucket()).sourceKey(ref.key())
                        .copySourceIfMatch("\"" + ref.eTag() + "\"").copySourceRange(range)
                        .destinationBucket(settings.landingBucket()).destinationKey(key).uploadId(uploadId).partNumber(number))
                        .copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(settings.landingBucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(settings.landingBucket()).key(key).uploadId(uploadId));
            } catch (RuntimeException ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        }
    }

    /**
     * The raw copy as clean UTF-8 text in the landing bucket's clean/ (spooled through a local file, never whole in
     * memory); the body becomes its records in pages. An object over the parse limit is not cleaned nor parsed.
     */
    public Iterator<List<LandingRecords.Entry>> clean(Exchange exchange) throws IOException {
        Run run = exchange.getProperty(RUN, Run.class);
        long size = run.size;
        if (size > settings.maxParseBytes()) {
            run.notParsed = "the object is " + size + " bytes, over the parse limit of " + settings.maxParseBytes()
                    + " (landfall.landing.max-parse-bytes): copied to raw/ only";
            return java.util.Collections.emptyIterator();
        }
        Files.createDirectories(settings.workDir());
        run.text = Files.createTempFile(settings.workDir(), run.source.name() + "-", ".txt");
        long lines = 0;
        try (InputStream raw = s3.getObject(b -> b.bucket(settings.landingBucket()).key(run.rawKey));
             CleanText text = new CleanText(raw, run.source.charset());
             BufferedWriter out = Files.newBufferedWriter(run.text, StandardCharsets.UTF_8)) {
            run.gzipped = text.gzipped();
            run.charset = text.bom() == null ? text.charset().name() : text.bom() + " (BOM)";
            char[] buf = new char[1 << 16];
            try {
                for (int n; (n = text.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lines++;
                        }
                    }
                }
            } catch (CleanText.DamagedInput e) {
                run.damaged = e.getMessage() + " after line " + lines + ": the lines before it are landed, the rest is lost";
            }
            run.replaced = text.replaced();
        } catch (CleanText.DamagedInput e) {
            run.damaged = e.getMessage() + ": nothing could be read";
        }
        s3.putObject(b -> b.bucket(settings.landingBucket()).key(run.cleanKey).contentType("text/plain; charset=utf-8")
                .metadata(Map.of(META_BUCKET, run.ref.bucket(), META_KEY, URLEncoder.encode(run.ref.key(), StandardCharsets.UTF_8),
                        META_ETAG, run.ref.eTag(), "landfall-replaced", Long.toString(run.replaced))), RequestBody.fromFile(run.text));
        run.cleanNanos = System.nanoTime() - run.started - run.copyNanos;
        Reader reader = Files.newBufferedReader(run.text, StandardCharsets.UTF_8);
        LandingRecords records = LandingRecords.read(reader, run.source.format());
        int page = settings.pageRecords();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                boolean more = records.hasNext();
                if (!more) {
                    closeQuietly(records);
                }
                return more;
            }

            @Override
            public List<LandingRecords.Entry> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<LandingRecords.Entry> out = new ArrayList<>(page);
                while (out.size() < page && records.hasNext()) {
                    out.add(records.next());
                }
                return out;
            }
        };
    }

    /** Of one page, the items of the records that are new or changed; their latest versions kept to advance after. */
    public List<Map<String, AttributeValue>> changes(List<LandingRecords.Entry> page, Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        record Candidate(LandingRecords.Entry entry, String uuid, String hash) {
        }
        List<Candidate> candidates = new ArrayList<>(page.size());
        for (LandingRecords.Entry e : page) {
            if (e.fatal()) {
                run.bad(e.line(), e.error(), null);
                run.damaged = run.damaged == null ? e.error() + " at line " + e.line() + ": the rest of the object is not read" : run.damaged;
                continue;
            }
            if (!e.good()) {
                run.bad(e.line(), e.error(), e.text());
                continue;
            }
            LandingItems.Identity id = LandingItems.identity(run.source.name(), run.source.keyFields(), e.fields());
            if (id.uuid() == null) {
                run.bad(e.line(), id.missing(), LandingRecords.clip(e.fields().toString()));
                continue;
            }
            run.records++;
            candidates.add(new Candidate(e, id.uuid(), LandingItems.changeHash(run.source.changeFields(), e.fields())));
        }
        Map<String, LandingStore.Latest> stored = store.latest(candidates.stream().map(Candidate::uuid).toList());
        Map<String, LandingStore.Latest> latest = new java.util.HashMap<>(stored);
        Map<String, LandingStore.Advance> advance = new LinkedHashMap<>();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (Candidate c : candidates) {
            LandingStore.Latest was = latest.get(c.uuid());
            String uploadDate = LandingItems.uploadDate(run.lastModified, run.version, c.entry().line());
            if (was != null && was.changeHash().equals(c.hash())) {
                run.unchanged++;
                continue;
            }
            if (was == null) {
                run.created++;
            } else {
                run.changed++;
            }
            LandingStore.Latest now = new LandingStore.Latest(uploadDate, c.hash());
            if (was != null && LandingItems.uploadTime(was.uploadDate()).compareTo(LandingItems.uploadTime(uploadDate)) > 0) {
                // an object older than the one the latest version came from (read late, or replayed): its differing
                // record is history (written under its own key, the same at every read), never the latest
                run.older++;
            } else {
                latest.put(c.uuid(), now);
                advance.put(c.uuid(), new LandingStore.Advance(stored.get(c.uuid()), now));
            }
            items.add(LandingItems.item(c.uuid(), uploadDate, run.source.name(), run.ref.key(),
                    LandingItems.record(c.entry().fields(), run.source.format()), c.hash()));
        }
        run.written += items.size();
        exchange.setProperty(ADVANCE, advance);
        return items;
    }

    /** After a page's items are written: their records' latest versions move (compare-and-set). */
    @SuppressWarnings("unchecked")
    public void advance(Exchange exchange) {
        Map<String, LandingStore.Advance> advance = exchange.getProperty(ADVANCE, Map.class);
        if (advance != null && !advance.isEmpty()) {
            store.advance(advance);
        }
    }

    /** The object's summary line, metrics and dead letter; the spooled text is deleted. */
    public void finish(Exchange exchange) throws IOException {
        Run run = exchange.getProperty(RUN, Run.class);
        if (run.text != null) {
            Files.deleteIfExists(run.text);
        }
        String reason = run.notParsed != null ? run.notParsed : run.damaged;
        if (run.bad > 0 || reason != null) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("bucket", run.ref.bucket());
            details.put("key", run.ref.key());
            details.put("eTag", run.ref.eTag());
            details.put("rawCopy", "s3://" + settings.landingBucket() + "/" + run.rawKey);
            details.put("badRecords", run.bad);
            details.put("listedBadRecords", run.listed);
            if (reason != null) {
                details.put("objectProblem", reason);
            }
            String kind = run.notParsed != null ? "not-parsed" : run.damaged != null ? "damaged-object" : "bad-records";
            String why = reason != null ? reason + (run.bad > 0 ? "; " + run.bad + " bad records" : "")
                    : run.bad + " of " + (run.records + run.bad) + " records not landed";
            DeadLetterStore.Stored stored = deadLetters.write(DeadLetter.of(PIPELINE, kind, why, run.ref.source(), null,
                    run.badText.toString(), details));
            DeadLetterTrail.add(exchange, stored.key());
        }
        metrics.read(PIPELINE, run.records);
        metrics.landed(PIPELINE, run.written);
        metrics.duplicate(PIPELINE, run.unchanged);
        metrics.deadLettered(PIPELINE, run.bad);
        metrics.count(PIPELINE, "replaced_bytes", run.replaced);
        long ms = (System.nanoTime() - run.started) / 1_000_000;
        exchange.getMessage().setHeader("landfallSummary", String.format(
                "landing %s: %s -> s3://%s/%s (%s)%s bytes=%d records=%d new=%d changed=%d unchanged=%d older=%d items-written=%d bad=%d replaced=%d%s"
                        + " in %d ms (copy %d, clean %d, records %d)",
                run.source.name(), run.ref.source(), settings.landingBucket(), run.rawKey, run.copied ? "copied" : "already there",
                run.gzipped ? " gzip" : "", run.size, run.records, run.created, run.changed, run.unchanged, run.older, run.written, run.bad, run.replaced,
                reason == null ? "" : " [" + reason + "]", ms, run.copyNanos / 1_000_000, run.cleanNanos / 1_000_000,
                Math.max(0, ms - (run.copyNanos + run.cleanNanos) / 1_000_000)));
    }

    private static String safe(String version) {
        return version.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw e instanceof IOException io ? new UncheckedIOException(io) : new IllegalStateException(e);
        }
    }
}
