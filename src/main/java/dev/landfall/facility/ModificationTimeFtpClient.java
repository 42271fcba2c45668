package dev.landfall.facility;

import java.io.IOException;
import java.util.Calendar;

import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An FTP client whose listings give the log file the time the server's MDTM reports (seconds or finer) instead of
 * LIST's, which many servers show to the minute; it keeps LIST's time when the server refuses MDTM.
 */
public class ModificationTimeFtpClient extends FTPClient {

    private static final Logger LOG = LoggerFactory.getLogger(ModificationTimeFtpClient.class);

    private final String fileName;
    private volatile boolean mdtmRefused;

    /** @param fileName the one file whose time is asked for, so that a listing of a full directory costs one MDTM */
    public ModificationTimeFtpClient(String fileName) {
        this.fileName = fileName;
    }

    @Override
    public FTPFile[] listFiles() throws IOException {
        return withModificationTimes(null, super.listFiles());
    }

    @Override
    public FTPFile[] listFiles(String pathname) throws IOException {
        return withModificationTimes(pathname, super.listFiles(pathname));
    }

    private FTPFile[] withModificationTimes(String listed, FTPFile[] files) throws IOException {
        for (FTPFile file : files) {
            if (mdtmRefused) {
                break;
            }
            if (file != null && file.isFile() && fileName.equals(file.getName())) {
                Calendar modified = mdtmCalendar(path(listed, file.getName()));
                if (modified != null) {
                    file.setTimestamp(modified);
                } else if (getReplyCode() == FTPReply.UNRECOGNIZED_COMMAND || getReplyCode() == FTPReply.COMMAND_NOT_IMPLEMENTED) {
                    mdtmRefused = true;
                    LOG.info("FTP server {} refuses MDTM ({}): a change within the same minute at the same size is not seen",
                            getRemoteAddress(), getReplyString().trim());
                }
            }
        }
        return files;
    }

    /** The path of a listed file: a listing of a directory names its files, a listing of one file names that file. */
    private static String path(String listed, String name) {
        if (listed == null || listed.isEmpty()) {
            return name;
        }
        if (listed.equals(name) || listed.endsWith("/" + name)) {
            return listed;
        }
        return listed.endsWith("/") ? listed + name : listed + "/" + name;
    }
}
