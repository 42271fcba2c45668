package dev.landfall.local;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.AbstractLocalDynamoDBServerHandler;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.eclipse.jetty.server.ServerConnector;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.rest.sqs.TheSQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real S3 (S3Proxy), DynamoDB (DynamoDB Local), FTP (Apache FtpServer) and SQS (ElasticMQ) servers started in this JVM
 * on loopback; a test starts only the ones it names.
 */
public final class LocalServers implements AutoCloseable {

    public static final String ACCESS_KEY = "landfall";
    public static final String SECRET_KEY = "landfalllocal";
    public static final String FTP_USER = "facility";
    public static final String FTP_PASSWORD = "facility";
    public static final String REGION = "us-east-1";
    public static final String HOST = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(LocalServers.class);

    /** The servers there are; the app started against them needs S3, DynamoDB and SQS (it provisions all three). */
    public enum Server {
        S3, DYNAMODB, FTP, SQS;

        /** What the Landfall app needs to start (facilities need FTP as well). */
        public static Set<Server> forApp() {
            return EnumSet.of(S3, DYNAMODB, SQS);
        }
    }

    /**
     * @param servers the servers to start; the endpoint of one not started refuses connections (see
     *                {@link #appProperties()})
     */
    public record Options(Path dataDir, boolean persistent, int s3Port, int dynamoDbPort, int ftpPort,
                          String ftpPassivePorts, int sqsPort, Set<Server> servers) {

        public Options {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(ftpPassivePorts, "ftpPassivePorts");
            servers = servers.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(servers));
        }

        /** Every server. */
        public Options(Path dataDir, boolean persistent, int s3Port, int dynamoDbPort, int ftpPort,
                       String ftpPassivePorts, int sqsPort) {
            this(dataDir, persistent, s3Port, dynamoDbPort, ftpPort, ftpPassivePorts, sqsPort, EnumSet.allOf(Server.class));
        }

        /** In memory where possible, every port (passive FTP ports too) picked free, every server. */
        public static Options forTests(Path dataDir) {
            return forTests(dataDir, EnumSet.allOf(Server.class));
        }

        /** In memory where possible, every port picked free, only {@code servers}. */
        public static Options forTests(Path dataDir, Set<Server> servers) {
            return new Options(dataDir, false, 0, 0, 0, "0", 0, servers);
        }

        /** In memory where possible, every port picked free, only {@code first} and {@code more}. */
        public static Options forTests(Path dataDir, Server first, Server... more) {
            return forTests(dataDir, EnumSet.of(first, more));
        }

        /** Data kept under dataDir, fixed well-known ports, every server. */
        public static Options forLocalRun(Path dataDir) {
            return new Options(dataDir, true, 4566, 8000, 2121, "2122-2131", 9324);
        }

        /** The same options with only {@code only} of the servers. */
        public Options with(Set<Server> only) {
            return new Options(dataDir, persistent, s3Port, dynamoDbPort, ftpPort, ftpPassivePorts, sqsPort, only);
        }

        public boolean starts(Server server) {
            return servers.contains(server);
        }
    }

    private final Options options;
    private final Path ftpHome;
    private BlobStore blobStore;
    private S3Proxy s3;
    private int s3Port;
    private DynamoDBProxyServer dynamoDb;
    private int dynamoDbPort;
    private static final int MAX_FTP_LOGINS = 200;
    private FtpServer ftp;
    private final FtpAudit ftpAudit = new FtpAudit();
    private Listener ftpListener;
    private int ftpPort;
    private SQSRestServer sqs;
    private int sqsPort;
    /** Bound, never listening: the port of every server not started, so a client gets "connection refused" at once. */
    private Socket refusing;

    private LocalServers(Options options) {
        this.options = options;
        this.ftpHome = options.dataDir().resolve("ftp").resolve(FTP_USER).toAbsolutePath();
        this.ftpPort = options.ftpPort();
    }

    public static LocalServers start(Options options) throws Exception {
        LocalServers servers = new LocalServers(options);
        try {
            if (options.starts(Server.S3)) {
                servers.startS3();
            }
            if (options.starts(Server.DYNAMODB)) {
                servers.startDynamoDb();
            }
            if (options.starts(Server.FTP)) {
                servers.startFtp();
            }
            if (options.starts(Server.SQS)) {
                servers.startSqs();
            }
            return servers;
        } catch (Exception | Error e) {
            servers.close();
            throw e;
        }
    }

    public int s3Port() {
        return options.starts(Server.S3) ? s3Port : refusingPort();
    }

    public int dynamoDbPort() {
        return options.starts(Server.DYNAMODB) ? dynamoDbPort : refusingPort();
    }

    public synchronized int ftpPort() {
        return options.starts(Server.FTP) ? ftpPort : refusingPort();
    }

    public String s3Endpoint() {
        return "http://" + HOST + ":" + s3Port();
    }

    public String dynamoDbEndpoint() {
        return "http://" + HOST + ":" + dynamoDbPort();
    }

    /** ElasticMQ: a real SQS-compatible server (in memory). */
    public String sqsEndpoint() {
        return "http://" + HOST + ":" + (options.starts(Server.SQS) ? sqsPort : refusingPort());
    }

    /** A loopback port nothing listens on, and nothing else can take while these servers are up. */
    private synchronized int refusingPort() {
        if (refusing == null) {
            try {
                Socket socket = new Socket();
                socket.bind(new InetSocketAddress(HOST, 0));
                refusing = socket;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return refusing.getLocalPort();
    }

    public Path ftpHome() {
        return ftpHome;
    }

    /** The FTP server's own record of listings and downloads, per session and directory. */
    public FtpAudit ftpAudit() {
        return ftpAudit;
    }

    public Options options() {
        return options;
    }

    /**
     * Properties that point the Landfall app at these servers; a server not started has an endpoint on loopback that
     * refuses connections, so the app fails fast (and reports it DOWN) instead of reaching another run's server.
     */
    public Map<String, String> appProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("landfall.aws.s3.endpoint", s3Endpoint());
        p.put("landfall.aws.dynamodb.endpoint", dynamoDbEndpoint());
        p.put("landfall.aws.sqs.endpoint", sqsEndpoint());
        p.put("landfall.aws.sqs.queue-url-prefix", sqsEndpoint() + "/000000000000/");
        p.put("landfall.aws.access-key", ACCESS_KEY);
        p.put("landfall.aws.secret-key", SECRET_KEY);
        p.put("landfall.aws.region", REGION);
        p.put("landfall.ftp.host", HOST);
        p.put("landfall.ftp.port", String.valueOf(ftpPort()));
        p.put("landfall.ftp.user", FTP_USER);
        p.put("landfall.ftp.password", FTP_PASSWORD);
        return Collections.unmodifiableMap(p);
    }

    public synchronized void stopFtp() {
        if (ftp != null) {
            // A session still closing when FtpServer shuts its executor down makes MINA log a rejected task.
            for (FtpIoSession session : ftpListener.getActiveSessions()) {
                session.closeNow().awaitUninterruptibly(5_000);
            }
            ftp.stop();
            ftp = null;
            ftpListener = null;
        }
    }

    /** Starts the FTP server; after the first start it always comes back on the same port. */
    public synchronized void startFtp() throws IOException, FtpException {
        if (!options.starts(Server.FTP)) {
            throw new IllegalStateException("FTP is not one of the servers these options start");
        }
        if (ftp != null) {
            return;
        }
        Files.createDirectories(ftpHome);

        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassiveAddress(HOST);
        data.setPassiveExternalAddress(HOST);
        data.setPassivePorts(options.ftpPassivePorts());

        ListenerFactory listenerFactory = new ListenerFactory();
        listenerFactory.setServerAddress(HOST);
        listenerFactory.setPort(ftpPort);
        listenerFactory.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        Listener listener = listenerFactory.createListener();

        BaseUser user = new BaseUser();
        user.setName(FTP_USER);
        user.setPassword(FTP_PASSWORD);
        user.setHomeDirectory(ftpHome.toString());
        // many pollers (replicas x facilities) log in at once: FtpServer's default is 10 logins in all
        user.setAuthorities(List.<Authority>of(new WritePermission(),
                new org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission(MAX_FTP_LOGINS, MAX_FTP_LOGINS)));
        // No file: the user lives in memory only and nothing is written next to the data.
        UserManager users = new PropertiesUserManagerFactory().createUserManager();
        users.save(user);

        FtpServerFactory factory = new FtpServerFactory();
        factory.addListener("default", listener);
        factory.setUserManager(users);
        org.apache.ftpserver.ConnectionConfigFactory connections = new org.apache.ftpserver.ConnectionConfigFactory();
        connections.setMaxLogins(MAX_FTP_LOGINS);
        connections.setMaxThreads(0);
        factory.setConnectionConfig(connections.createConnectionConfig());
        factory.setFtplets(new java.util.LinkedHashMap<>(java.util.Map.of("audit", ftpAudit)));
        FtpServer server = factory.createServer();
        server.start();
        ftp = server;
        ftpListener = listener;
        ftpPort = listener.getPort();
    }

    private void startSqs() {
        TheSQSRestServerBuilder builder = SQSRestServerBuilder.withInterface(HOST);
        builder = options.sqsPort() == 0 ? builder.withDynamicPort() : builder.withPort(options.sqsPort());
        sqs = builder.start();
        sqsPort = sqs.waitUntilStarted().localAddress().getPort();
    }

    @Override
    public void close() {
        quietly("ElasticMQ", () -> {
            if (sqs != null) {
                sqs.stopAndWait();
                sqs = null;
            }
        });
        quietly("FTP", this::stopFtp);
        quietly("DynamoDB Local", () -> {
            if (dynamoDb != null) {
                dynamoDb.stop();
                interruptDynamoDbJobs(dynamoDb);
                dynamoDb = null;
            }
        });
        quietly("S3Proxy", () -> {
            if (s3 != null) {
                s3.stop();
                s3 = null;
            }
        });
        quietly("the S3 blob store", () -> {
            if (blobStore != null) {
                blobStore.close();
                blobStore = null;
            }
        });
        quietly("the refusing port", () -> {
            if (refusing != null) {
                refusing.close();
                refusing = null;
            }
        });
    }

    private void startS3() throws Exception {
        Properties props = new Properties();
        String provider;
        if (options.persistent()) {
            Path dir = Files.createDirectories(options.dataDir().resolve("s3")).toAbsolutePath();
            requireUserXattrs(dir);
            provider = "filesystem";
            props.setProperty("jclouds.filesystem.basedir", dir.toString());
        } else {
            provider = "transient";
        }
        props.setProperty("jclouds.provider", provider);
        blobStore = BlobStores.create(provider, props);
        s3 = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://" + HOST + ":" + options.s3Port()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        s3.start();
        s3Port = s3.getPort();
    }

    private void startDynamoDb() throws Exception {
        List<String> args = new ArrayList<>(List.of("-sharedDb", "-disableTelemetry"));
        if (options.dynamoDbPort() != 0) {
            args.addAll(List.of("-port", String.valueOf(options.dynamoDbPort())));
        }
        if (options.persistent()) {
            Path dir = Files.createDirectories(options.dataDir().resolve("dynamodb")).toAbsolutePath();
            args.addAll(List.of("-dbPath", dir.toString()));
        } else {
            args.add("-inMemory");
        }
        dynamoDb = ServerRunner.createServerFromCommandLineArgs(args.toArray(String[]::new));
        // DynamoDB Local binds every interface and rejects port 0; its Jetty connector does neither.
        org.eclipse.jetty.server.Server jetty = (org.eclipse.jetty.server.Server) field(DynamoDBProxyServer.class, "server", dynamoDb);
        ServerConnector connector = (ServerConnector) jetty.getConnectors()[0];
        connector.setHost(HOST);
        connector.setPort(options.dynamoDbPort());
        dynamoDb.start();
        dynamoDbPort = connector.getLocalPort();
    }

    /**
     * stop() leaves a non-daemon job thread of DynamoDB Local sleeping for hours, which keeps the JVM alive;
     * its job pools are only reachable through private fields.
     */
    private static void interruptDynamoDbJobs(DynamoDBProxyServer server) throws ReflectiveOperationException {
        Object serverHandler = field(DynamoDBProxyServer.class, "serverHandler", server);
        Object requestHandler = field(AbstractLocalDynamoDBServerHandler.class, "primaryHandler", serverHandler);
        Map<?, ?> databases = (Map<?, ?>) field(LocalDynamoDBRequestHandler.class, "dbRequestHandlers", requestHandler);
        for (Object database : databases.values()) {
            ((AmazonDynamoDBLocal) database).shutdownNow();
        }
    }

    private static Object field(Class<?> type, String name, Object target) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }

    /** The filesystem store keeps ETags in user xattrs; without them HEAD and GET silently lose the ETag. */
    private static void requireUserXattrs(Path dir) throws IOException {
        if (!Files.getFileStore(dir).supportsFileAttributeView(UserDefinedFileAttributeView.class)) {
            throw new IllegalStateException("The filesystem of " + dir
                    + " has no user extended attributes, which S3Proxy needs to keep ETags");
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(String server, Step stop) {
        try {
            stop.run();
        } catch (Exception | LinkageError e) {
            LOG.warn("Could not stop {} cleanly", server, e);
        }
    }
}
