package dev.landfall.meters;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The poller's HTTP: one POST to a gateway, its status and body, on Vert.x event loops (non-blocking, pooled keep-alive
 * connections per gateway host). Its own small Vert.x (the event loops, no worker pools to speak of), so the API's
 * server never shares a loop with 10,000 gateways. Failures to reach a gateway come back as {@link Unreachable} with a
 * short reason; a body over the cap is cut off and refused. Headers are set here from the poller's arguments: the
 * credential travels only in the outgoing request, never through a Camel header or a log line.
 */
public final class EagleHttp implements AutoCloseable {

    /** A gateway's answer. */
    public record Answer(int status, String body) {
    }

    /** The gateway could not be reached or did not answer in time. */
    public static final class Unreachable extends RuntimeException {
        public Unreachable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A gateway's answer longer than this is refused (an EAGLE's is a few hundred bytes). */
    static final int MAX_BODY = 256 * 1024;

    /** The status of an answer cut off over {@link #MAX_BODY} (its body is null). */
    public static final int TOO_LONG = -1;

    private final Vertx vertx;
    private final HttpClient client;
    private final Context[] loops;
    private final long readTimeoutMs;

    /**
     * Each gateway's requests run on one fixed event-loop context (by its URI), the contexts spread over the loops: a
     * Vert.x client binds a request to its caller's context, so requests issued from the poll timer or from a
     * completion all stuck to one loop and the others idled (seen in a profile at 10,000 gateways).
     */
    public EagleHttp(int eventLoops, int maxConnectionsPerHost, long connectTimeoutMs, long readTimeoutMs, int keepAliveSeconds) {
        int n = Math.max(1, eventLoops);
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(n).setWorkerPoolSize(1).setInternalBlockingPoolSize(1)
                .setUseDaemonThread(true));
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) connectTimeoutMs).setKeepAlive(true)
                        .setKeepAliveTimeout(keepAliveSeconds).setTryUseCompression(false).setMaxRedirects(0),
                new PoolOptions().setHttp1MaxSize(maxConnectionsPerHost).setMaxWaitQueueSize(-1));
        this.loops = new Context[n];
        for (int i = 0; i < n; i++) {
            // a thread's first context is a new one on the next loop (round robin); it stays that thread's
            Context[] made = new Context[1];
            Thread t = new Thread(() -> made[0] = vertx.getOrCreateContext(), "eagle-http-context-" + i);
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            loops[i] = made[0];
        }
        this.readTimeoutMs = readTimeoutMs;
    }

    public CompletableFuture<Answer> post(String uri, Map<String, String> headers, String body) {
        CompletableFuture<Answer> done = new CompletableFuture<>();
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(uri).setIdleTimeout(readTimeoutMs)
                .setFollowRedirects(false);
        headers.forEach(o::putHeader);
        Context loop = loops[Math.floorMod(uri.hashCode(), loops.length)];
        loop.runOnContext(v -> attempt(o, body, done, 1));
        return done;
    }

    /**
     * One try; a kept-alive connection that the gateway closed just as the request went out (before any answer) is
     * tried again once on a fresh one, as HTTP clients do for such a read: it is not a gateway that went away.
     */
    private void attempt(RequestOptions o, String body, CompletableFuture<Answer> done, int retries) {
        java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.Consumer<Throwable> failed = e -> {
            if (!reported.compareAndSet(false, true)) {
                // the request's and the response's handlers may both tell the same failure
                return;
            }
            if (retries > 0 && e instanceof io.vertx.core.http.HttpClosedException && !done.isDone()) {
                attempt(o, body, done, retries - 1);
            } else {
                done.completeExceptionally(unreachable(e));
            }
        };
        try {
            client.request(o).onFailure(failed::accept).onSuccess(req -> {
                req.exceptionHandler(failed::accept);
                req.response().onFailure(failed::accept).onSuccess(resp -> read(resp, done));
                req.end(Buffer.buffer(body));
            });
        } catch (RuntimeException e) {
            // a URI the client cannot use
            done.completeExceptionally(new Unreachable("bad endpoint: " + e.getMessage()));
        }
    }

    private static void read(HttpClientResponse resp, CompletableFuture<Answer> done) {
        Buffer acc = Buffer.buffer();
        resp.exceptionHandler(e -> done.completeExceptionally(unreachable(e)));
        resp.handler(chunk -> {
            if (done.isDone()) {
                return;
            }
            if (acc.length() + chunk.length() > MAX_BODY) {
                done.complete(new Answer(TOO_LONG, null));
                resp.request().reset();
                return;
            }
            acc.appendBuffer(chunk);
        });
        resp.endHandler(v -> done.complete(new Answer(resp.statusCode(), acc.toString(StandardCharsets.UTF_8))));
    }

    /** A short reason for a failure to reach a gateway (never the request, which holds the credential). */
    static Unreachable unreachable(Throwable e) {
        if (e instanceof Unreachable u) {
            return u;
        }
        if (e instanceof io.netty.channel.ConnectTimeoutException) {
            return new Unreachable("connect timed out");
        }
        if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
            return new Unreachable("no answer in time");
        }
        if (e instanceof ConnectException) {
            return new Unreachable("connection refused");
        }
        if (e instanceof java.net.UnknownHostException) {
            return new Unreachable("unknown host");
        }
        String m = e.getMessage();
        return new Unreachable(e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 200 ? m.substring(0, 200) : m)));
    }

    @Override
    public void close() {
        client.close();
        vertx.close();
    }
}
