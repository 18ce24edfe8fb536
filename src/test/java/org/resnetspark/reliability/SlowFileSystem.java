package org.resnetspark.reliability;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

import java.io.File;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local filesystem under the scheme {@code slowfs://}, which stalls in the middle of writing a checkpoint,
 * so a test can kill the driver while that checkpoint is half written, however loaded the machine is.
 *
 * <p>The first checkpoint file after epoch 1 ({@code _tmp-epoch-0002.zip} and later) gets its first buffer
 * written and flushed, then the writing thread sleeps until the process is killed. The stall happens once per
 * marker file (the system property {@value #STALL_MARKER}, created when the stall begins), so a rerun with the
 * same marker writes normally.
 */
public class SlowFileSystem extends RawLocalFileSystem {

    static final String SCHEME = "slowfs";
    /** System property: the file whose existence says the stall has already happened. */
    static final String STALL_MARKER = "resnet.test.slowfs.stall_marker";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    // FileSystem.create(path, overwrite) reaches the first overload; create with a permission the second.
    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                     Progressable progress) throws IOException {
        return stalling(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        return stalling(f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
    }

    private static FSDataOutputStream stalling(Path f, FSDataOutputStream out) throws IOException {
        String marker = System.getProperty(STALL_MARKER);
        if (marker == null || !isLaterCheckpoint(f.getName()) || new File(marker).exists()) {
            return out;
        }
        return new FSDataOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                out.flush();
                Files.createFile(Paths.get(marker));
                try {
                    Thread.sleep(TimeUnit.MINUTES.toMillis(10)); // the test kills the process meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("slowfs: stalled write of " + f + " was not killed");
            }
        }, null);
    }

    private static boolean isLaterCheckpoint(String name) {
        Matcher m = Pattern.compile("_tmp-epoch-(\\d+)\\.zip").matcher(name);
        return m.matches() && Integer.parseInt(m.group(1)) >= 2;
    }

    /** The {@code FileContext} side of the same filesystem (checkpoint renames go through FileContext). */
    public static class Afs extends DelegateToFileSystem {
        public Afs(URI uri, Configuration conf) throws IOException, URISyntaxException {
            super(uri, new SlowFileSystem(), conf, SCHEME, false);
        }
    }
}
