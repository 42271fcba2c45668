package dev.landfall.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;

/**
 * What the FTP server saw, on its own side: every directory-listing and download command with the session that sent
 * it and the top-level directory (a facility) it touched. Tests check with it that no two pollers ever worked one
 * facility at the same time: each session's commands on a directory form one unbroken run.
 */
public final class FtpAudit extends DefaultFtplet {

    /** One command: when, which session, which top-level directory. */
    public record Command(long nanos, String session, String directory, String command) {
    }

    private static final Set<String> WATCHED = Set.of("LIST", "NLST", "RETR", "MLSD", "SIZE", "MDTM");
    private final List<Command> commands = new CopyOnWriteArrayList<>();

    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, java.io.IOException {
        String cmd = request.getCommand().toUpperCase();
        if (WATCHED.contains(cmd)) {
            String cwd = session.getFileSystemView().getWorkingDirectory().getAbsolutePath();
            String arg = request.hasArgument() ? request.getArgument() : "";
            String path = arg.startsWith("/") ? arg : (cwd.endsWith("/") ? cwd : cwd + "/") + arg;
            String[] parts = path.split("/");
            String top = parts.length > 1 ? parts[1] : "";
            commands.add(new Command(System.nanoTime(), session.getSessionId().toString(), top, cmd));
        }
        return FtpletResult.DEFAULT;
    }

    public List<Command> commands() {
        return new ArrayList<>(commands);
    }

    /**
     * The directories in which a session's run of commands was broken by another session's and then went on: two
     * pollers at once. Empty when every hand-over was clean.
     */
    public Map<String, List<String>> interleavings() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        Map<String, List<Command>> byDir = new java.util.HashMap<>();
        for (Command c : commands) {
            byDir.computeIfAbsent(c.directory(), k -> new ArrayList<>()).add(c);
        }
        byDir.forEach((dir, list) -> {
            Set<String> finished = new java.util.HashSet<>();
            String current = null;
            for (Command c : list) {
                if (!c.session().equals(current)) {
                    if (current != null) {
                        finished.add(current);
                    }
                    if (finished.contains(c.session())) {
                        out.computeIfAbsent(dir, k -> new ArrayList<>()).add("session " + c.session() + " again after another");
                    }
                    current = c.session();
                }
            }
        });
        return out;
    }

    /** How many sessions worked each directory (a hand-over adds one). */
    public Map<String, Integer> sessionsPerDirectory() {
        Map<String, Set<String>> s = new java.util.TreeMap<>();
        for (Command c : commands) {
            s.computeIfAbsent(c.directory(), k -> new java.util.HashSet<>()).add(c.session());
        }
        Map<String, Integer> out = new java.util.TreeMap<>();
        s.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }
}
