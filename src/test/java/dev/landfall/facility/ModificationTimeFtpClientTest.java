package dev.landfall.facility;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.commons.net.ftp.FTPFile;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.Listener;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The MDTM-aware FTP client against a real Apache FtpServer, one that answers MDTM and one that refuses it. */
class ModificationTimeFtpClientTest {

    static final Instant MODIFIED = Instant.parse("2026-11-30T10:15:35Z");

    @TempDir
    Path home;
    FtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theLogFileGetsMdtmsSecondsAndOtherFilesKeepTheListTime() throws Exception {
        Map<String, FTPFile> listed = list(start(false));
        assertThat(listed.get("log.csv").getTimestamp().toInstant()).isEqualTo(MODIFIED);
        assertThat(listed.get("other.csv").getTimestamp().toInstant()).isNotEqualTo(MODIFIED);
    }

    @Test
    void aServerThatRefusesMdtmLeavesTheListTimeToTheMinute() throws Exception {
        Map<String, FTPFile> listed = list(start(true));
        Instant listTime = listed.get("log.csv").getTimestamp().toInstant();
        assertThat(listTime).isNotEqualTo(MODIFIED);
        assertThat(listTime.getEpochSecond() % 60).isZero();
    }

    private Map<String, FTPFile> list(int port) throws Exception {
        Path dir = Files.createDirectories(home.resolve("plant"));
        for (String name : List.of("log.csv", "other.csv")) {
            Path f = Files.writeString(dir.resolve(name), "event_timestamp\n");
            Files.setLastModifiedTime(f, FileTime.from(MODIFIED));
        }
        ModificationTimeFtpClient client = new ModificationTimeFtpClient("log.csv");
        client.connect("127.0.0.1", port);
        try {
            assertThat(client.login("facility", "facility")).isTrue();
            client.enterLocalPassiveMode();
            return Arrays.stream(client.listFiles("/plant")).collect(Collectors.toMap(FTPFile::getName, f -> f));
        } finally {
            client.disconnect();
        }
    }

    private int start(boolean refuseMdtm) throws Exception {
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassiveAddress("127.0.0.1");
        data.setPassivePorts("0");
        ListenerFactory listenerFactory = new ListenerFactory();
        listenerFactory.setServerAddress("127.0.0.1");
        listenerFactory.setPort(0);
        listenerFactory.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        Listener listener = listenerFactory.createListener();
        BaseUser user = new BaseUser();
        user.setName("facility");
        user.setPassword("facility");
        user.setHomeDirectory(home.toString());
        user.setAuthorities(List.<Authority>of(new WritePermission()));
        UserManager users = new PropertiesUserManagerFactory().createUserManager();
        users.save(user);
        FtpServerFactory factory = new FtpServerFactory();
        factory.addListener("default", listener);
        factory.setUserManager(users);
        if (refuseMdtm) {
            CommandFactoryFactory commands = new CommandFactoryFactory();
            commands.addCommand("MDTM", (session, context, request) -> {
                session.resetState();
                session.write(new DefaultFtpReply(502, "Command MDTM not implemented."));
            });
            factory.setCommandFactory(commands.createCommandFactory());
        }
        server = factory.createServer();
        server.start();
        return listener.getPort();
    }
}
