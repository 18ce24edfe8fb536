package org.resnetspark.serve;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.resnetspark.cli.SparkSessions;
import org.resnetspark.cli.UsageException;
import org.resnetspark.data.HadoopConfHolder;
import org.resnetspark.data.LazyIterators;
import org.resnetspark.ml.ResNetClassificationModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code score}: batch inference at scale on Spark with an exported bundle, written as Parquet.
 *
 * <p>The bundle is broadcast once and loaded once per executor thread; each partition is scored in batches
 * ({@link ResNetClassificationModel}). Output, one row per input image: {@code source} (the image's path, or
 * {@code <file>#<record>} for TFRecords, as {@code predict} names them), {@code top_k_classes},
 * {@code top_k_names}, {@code top_k_probabilities} (best first) and {@code error}: null, or why the image could
 * not be scored (its other columns are then null): a file or record that cannot be read is named with the reason,
 * an image that cannot be decoded gets {@value #UNREADABLE}. Bad images never fail the job.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score JPEG/PNG images or the image/encoded records of TFRecord files on Spark with a bundle"
                + " written by 'export'; writes Parquet with the top-k classes per image.")
public final class ScoreCommand implements Callable<Integer> {

    static final String UNREADABLE = "unreadable or missing image (the executor log names the reason)";

    @Option(names = "--export_dir", paramLabel = "DIR", required = true, description = "The bundle.")
    String exportDir;

    @Option(names = "--input", paramLabel = "PATH", required = true, split = ",",
            description = "JPEG/PNG files and TFRecord files (told apart by their first bytes, as 'predict' does),"
                    + " directories (searched recursively) or globs. Any Hadoop filesystem; comma-separated or"
                    + " repeated.")
    List<String> inputs;

    @Option(names = "--output", paramLabel = "PATH", required = true, description = "Parquet output directory.")
    String output;

    @Option(names = "--overwrite", description = "Replace --output if it exists (otherwise that is an error).")
    boolean overwrite;

    @Option(names = "--top_k", paramLabel = "K", defaultValue = "5",
            description = "Classes per image (at most the number of classes). Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--batch_size", paramLabel = "N", defaultValue = "32",
            description = "Images per forward pass on an executor. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (topK < 1 || batchSize < 1) {
            throw new UsageException("--top_k and --batch_size must be >= 1, got " + topK + " and " + batchSize);
        }
        try (SparkSessions.Job job = SparkSessions.open("resnet-spark score")) {
            SparkSession spark = job.spark();
            Configuration conf = spark.sparkContext().hadoopConfiguration();
            byte[][] bundle;
            try {
                bundle = ExportedModel.files(exportDir, conf);
            } catch (FileNotFoundException e) {
                throw new UsageException("--export_dir " + e.getMessage());
            }
            Path out = new Path(output);
            if (!overwrite && out.getFileSystem(conf).exists(out)) {
                throw new UsageException("--output " + output + " already exists (add --overwrite to replace it)");
            }
            Dataset<Row> in = inputImages(spark, files(conf));
            ResNetClassificationModel model = ResNetClassificationModel.fromBundle(bundle[0], bundle[1])
                    .setImageCol("image").setInferenceBatchSize(batchSize);
            model.setTopK(Math.min(topK, model.numClasses()));
            Dataset<Row> scored = model.transform(in);
            Dataset<Row> rows = spark.createDataFrame(toOutputRows(scored, model), OUTPUT);
            spark.sparkContext().setJobDescription("score " + String.join(",", inputs) + " -> " + output);
            rows.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output);
            // one pass over what was written: all rows, and the non-null errors
            Row counts = spark.read().parquet(output).agg(count(lit(1)), count(col("error"))).first();
            long total = counts.getLong(0);
            long failed = counts.getLong(1);
            spec.commandLine().getOut().printf("scored %d images (%d could not be read) to %s%n", total, failed,
                    output);
            return 0;
        }
    }

    static final StructType OUTPUT = new StructType()
            .add("source", DataTypes.StringType, false)
            .add("top_k_classes", DataTypes.createArrayType(DataTypes.IntegerType, false), true)
            .add("top_k_names", DataTypes.createArrayType(DataTypes.StringType, false), true)
            .add("top_k_probabilities", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
            .add("error", DataTypes.StringType, true);

    private static JavaRDD<Row> toOutputRows(Dataset<Row> scored, ResNetClassificationModel model) {
        String[] classNames = model.classNames().toArray(new String[0]);
        return scored.select(col("source"), col(model.getProbabilityCol()), col(model.getTopKCol()),
                col("read_error")).javaRDD().map(r -> {
            if (r.isNullAt(2)) {
                return RowFactory.create(r.getString(0), null, null, null, r.isNullAt(3) ? UNREADABLE : r.getString(3));
            }
            List<Integer> top = r.getList(2);
            Vector p = r.getAs(1);
            String[] n = new String[top.size()];
            Double[] prob = new Double[top.size()];
            for (int i = 0; i < n.length; i++) {
                n[i] = classNames[top.get(i)];
                prob[i] = p.apply(top.get(i));
            }
            return RowFactory.create(r.getString(0), top.toArray(new Integer[0]), n, prob, null);
        });
    }

    /** Every file the inputs name: files as given, directories recursively (without hidden and _ files), globs. */
    private List<String> files(Configuration conf) throws IOException {
        List<String> files = new ArrayList<>();
        for (String input : inputs) {
            Path p = new Path(input);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw new UsageException("--input " + input + " does not exist");
            }
            for (FileStatus m : matches) {
                if (!m.isDirectory()) {
                    files.add(m.getPath().toString());
                    continue;
                }
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
                while (it.hasNext()) {
                    Path f = it.next().getPath();
                    if (!f.getName().startsWith(".") && !f.getName().startsWith("_")) {
                        files.add(f.toString());
                    }
                }
            }
        }
        if (files.isEmpty()) {
            throw new UsageException("--input " + String.join(",", inputs) + " holds no files");
        }
        Collections.sort(files);
        return files;
    }

    /**
     * (source, image bytes, error) rows read on the executors, a slice of the files per task: an image file is one
     * row, a TFRecord file one row per record ({@code <file>#<record>}); what cannot be read is a row with an error.
     */
    private static Dataset<Row> inputImages(SparkSession spark, List<String> files) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        HadoopConfHolder conf = new HadoopConfHolder(sc.hadoopConfiguration());
        int slices = Math.min(files.size(), 8 * sc.defaultParallelism());
        JavaRDD<Row> rows = sc.parallelize(files, slices).flatMap(f -> {
            PredictionInputs reader = new PredictionInputs(conf.get());
            return LazyIterators.map(reader.read(f).iterator(),
                    item -> RowFactory.create(item.source(), item.encoded(), item.error()));
        });
        return spark.createDataFrame(rows, new StructType().add("source", DataTypes.StringType, false)
                .add("image", DataTypes.BinaryType, true).add("read_error", DataTypes.StringType, true));
    }
}
