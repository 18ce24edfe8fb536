package org.resnetspark.data.cifar;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.resnetspark.data.InvalidDataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * Extracts a {@code .tar.gz} once into a cache directory and reuses the extraction while it is complete.
 *
 * <p>The extraction goes to {@code <cacheRoot>/<archive name>-<size>-<mtime>/}, so a changed archive gets a
 * fresh directory. It is written to a temporary sibling and renamed into place, with a manifest
 * ({@value #MANIFEST}: size and name of every file) written last; a directory counts as complete only when the
 * manifest exists and every file it lists has its recorded size. Any Hadoop filesystem works for both the
 * archive and the cache (on a cluster the cache must be one every executor can read, e.g. HDFS).
 */
public final class ArchiveCache {

    static final String MANIFEST = ".resnet-spark-extracted";
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveCache.class);

    private ArchiveCache() {
    }

    /** The extracted directory of {@code archive} under {@code cacheRoot}, extracting it if needed. */
    public static Path extract(Path archive, Path cacheRoot, Configuration conf) throws IOException {
        FileSystem srcFs = archive.getFileSystem(conf);
        FileStatus st = srcFs.getFileStatus(archive);
        String base = archive.getName().replaceFirst("\\.(tar\\.gz|tgz)$", "");
        FileSystem fs = cacheRoot.getFileSystem(conf);
        Path target = fs.makeQualified(new Path(cacheRoot, base + "-" + st.getLen() + "-" + st.getModificationTime()));
        if (isComplete(fs, target)) {
            LOG.info("reusing extracted {} in {}", archive, target);
            return target;
        }
        Path tmp = new Path(cacheRoot, "." + target.getName() + ".tmp-" + UUID.randomUUID());
        LOG.info("extracting {} to {}", archive, target);
        Map<String, Long> sizes = new LinkedHashMap<>();
        try (InputStream raw = srcFs.open(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw, 1 << 16))) {
            TarArchiveEntry e;
            while ((e = tar.getNextTarEntry()) != null) {
                String name = e.getName();
                if (name.startsWith("/") || ("/" + name + "/").contains("/../")) {
                    throw new InvalidDataException(archive + ": entry '" + name + "' escapes the archive directory");
                }
                Path out = new Path(tmp, name);
                if (e.isDirectory()) {
                    fs.mkdirs(out);
                } else if (e.isFile()) {
                    try (FSDataOutputStream o = fs.create(out, true)) {
                        long n = tar.transferTo(o);
                        sizes.put(name, n);
                    }
                }
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            fs.delete(tmp, true);
            throw new InvalidDataException(archive + ": not a complete .tar.gz (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, true);
            throw e;
        }
        try (FSDataOutputStream m = fs.create(new Path(tmp, MANIFEST), true)) {
            StringBuilder sb = new StringBuilder();
            sizes.forEach((name, size) -> sb.append(size).append('\t').append(name).append('\n'));
            m.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (fs.exists(target)) {
            fs.delete(target, true); // an incomplete earlier extraction
        }
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, true);
            if (!isComplete(fs, target)) { // another job may have won the race with a complete copy
                throw new IOException("could not move the extraction of " + archive + " to " + target);
            }
        }
        return target;
    }

    /** True when {@code dir} holds a manifest and every listed file with its recorded size. */
    static boolean isComplete(FileSystem fs, Path dir) throws IOException {
        Path manifest = new Path(dir, MANIFEST);
        if (!fs.exists(manifest)) {
            return false;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(manifest), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                int tab = line.indexOf('\t');
                Path f = new Path(dir, line.substring(tab + 1));
                if (!fs.exists(f) || fs.getFileStatus(f).getLen() != Long.parseLong(line.substring(0, tab))) {
                    LOG.warn("extraction {} is incomplete ({} missing or of another size); extracting again", dir, f);
                    return false;
                }
            }
        }
        return true;
    }
}
