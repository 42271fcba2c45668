package dev.landfall.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Collection;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * Looks for secrets everywhere an operator can read the running app: its log lines, its Prometheus metrics, every
 * readable attribute of every MBean in this JVM (Camel's route and exchange statistics included) and its dead letters.
 */
public final class SecretScan {

    private SecretScan() {
    }

    /** No log event's message or exception holds a secret. */
    public static void logs(LogCapture logs, Collection<String> secrets) {
        for (var event : logs.events()) {
            String line = event.getMessage().getFormattedMessage() + (event.getThrown() == null ? "" : event.getThrown().toString());
            for (String secret : secrets) {
                assertThat(line).as(event.getLoggerName()).doesNotContain(secret);
            }
        }
    }

    /** The text of {@code /observe/metrics} holds no secret. */
    public static void metrics(String prometheus, Collection<String> secrets) {
        assertThat(prometheus).contains("camel_exchanges");
        for (String secret : secrets) {
            assertThat(prometheus).doesNotContain(secret);
        }
    }

    /** @return how many attributes were read (a scan that read nothing proves nothing) */
    public static int jmx(Collection<String> secrets) throws Exception {
        MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        int read = 0;
        for (ObjectName name : jmx.queryNames(null, null)) {
            for (MBeanAttributeInfo a : jmx.getMBeanInfo(name).getAttributes()) {
                if (!a.isReadable()) {
                    continue;
                }
                Object value;
                try {
                    value = jmx.getAttribute(name, a.getName());
                } catch (Exception | LinkageError e) {
                    continue;
                }
                String text = value instanceof Object[] array ? Arrays.deepToString(array) : String.valueOf(value);
                read++;
                for (String secret : secrets) {
                    assertThat(text).as(name + " " + a.getName()).doesNotContain(secret);
                }
            }
        }
        assertThat(read).isGreaterThan(1000);
        return read;
    }

    /** @return how many dead letters were read */
    public static int deadLetters(S3Client s3, String bucket, Collection<String> secrets) {
        int read = 0;
        for (var object : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            String body = s3.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asUtf8String();
            read++;
            for (String secret : secrets) {
                assertThat(body).as(object.key()).doesNotContain(secret);
            }
        }
        return read;
    }
}
