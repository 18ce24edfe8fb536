package org.resnetspark.data.imagenet;

import org.apache.spark.sql.SparkSession;
import org.resnetspark.data.imagenet.convert.ConvertSettings;
import org.resnetspark.data.imagenet.convert.ImageNetConverter;
import org.resnetspark.testing.LocalSpark;

import java.io.IOException;
import java.nio.file.Path;

/** The fixture's photos converted to 4 train + 2 validation shards (seed 12345), for the input tests. */
final class ConvertedShards {

    final RawImageNetFixture raw;
    final Path dir;

    private ConvertedShards(RawImageNetFixture raw, Path dir) {
        this.raw = raw;
        this.dir = dir;
    }

    static ConvertedShards create(SparkSession spark, Path tmp) throws IOException {
        RawImageNetFixture raw = RawImageNetFixture.create(tmp);
        Path dir = tmp.resolve("shards");
        ImageNetConverter.run(LocalSpark.context(spark), new ConvertSettings(raw.root.toString(), dir.toString(),
                raw.labelsFile.toString(), null, null, raw.bboxCsv.toString(), 4, 2, 12345));
        return new ConvertedShards(raw, dir);
    }
}
