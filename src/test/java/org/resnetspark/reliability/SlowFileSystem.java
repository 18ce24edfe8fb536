package org.resnetspark.reliability;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The local filesystem under the scheme {@code slowfs://}, whose writes of checkpoint files crawl
 * (one sleep per buffer written), so a test can kill the driver while a checkpoint is being written.
 */
public class SlowFileSystem extends RawLocalFileSystem {

    static final String SCHEME = "slowfs";
    private static final long SLEEP_MS = 200;

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        FSDataOutputStream out = super.create(f, permission, overwrite, bufferSize, replication, blockSize,
                progress);
        if (!f.getName().startsWith("_tmp-epoch-")) {
            return out;
        }
        return new FSDataOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    Thread.sleep(SLEEP_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                out.write(b, off, len);
            }
        }, null);
    }

    /** The {@code FileContext} side of the same filesystem (checkpoint renames go through FileContext). */
    public static class Afs extends DelegateToFileSystem {
        public Afs(URI uri, Configuration conf) throws IOException, URISyntaxException {
            super(uri, new SlowFileSystem(), conf, SCHEME, false);
        }
    }
}
