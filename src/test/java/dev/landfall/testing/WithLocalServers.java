package dev.landfall.testing;

import java.nio.file.Path;

import dev.landfall.local.LocalServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Base of the tests that run the packaged app against local servers held by the test JVM for the whole class. */
public abstract class WithLocalServers {

    @TempDir
    protected static Path dir;
    protected static LocalServers servers;
    protected static S3Client s3;

    @BeforeAll
    static void startServers() throws Exception {
        servers = LocalServers.start(LocalServers.Options.forTests(dir.resolve("servers")));
        s3 = Aws.s3(servers);
    }

    @AfterAll
    static void stopServers() {
        if (s3 != null) {
            s3.close();
        }
        servers.close();
    }
}
