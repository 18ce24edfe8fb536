package org.resnetspark.data.cifar;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Writes a directory as {@code <dir name>/<file>} entries of a .tar.gz, as the CIFAR-10 archive is laid out. */
final class TarGz {

    private TarGz() {
    }

    static Path write(Path dir, Path archive) throws IOException {
        try (OutputStream out = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out));
             Stream<Path> files = Files.list(dir)) {
            List<Path> sorted = files.sorted().toList();
            tar.putArchiveEntry(new TarArchiveEntry(dir.getFileName() + "/"));
            tar.closeArchiveEntry();
            for (Path f : sorted) {
                TarArchiveEntry e = new TarArchiveEntry(f.toFile(), dir.getFileName() + "/" + f.getFileName());
                tar.putArchiveEntry(e);
                Files.copy(f, tar);
                tar.closeArchiveEntry();
            }
        }
        return archive;
    }
}
