package org.resnetspark.ml;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InputSettings;
import org.resnetspark.data.imagenet.ImageNetRecord;
import org.resnetspark.data.imagenet.ImageNetTrainingInput;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import org.resnetspark.serve.BundleExporter;
import org.resnetspark.serve.EncodedImagePreprocessor;
import org.resnetspark.serve.ExportedModel;
import org.resnetspark.train.CheckpointStore;
import org.resnetspark.train.DistributionSettings;
import org.resnetspark.train.LearningRateSchedule;
import org.resnetspark.train.TrainSettings;
import org.resnetspark.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Trains a ResNet image classifier on a DataFrame of encoded JPEG/PNG images as a Spark ML {@code Estimator}.
 *
 * <p>Input: {@link #imageCol()} (binary: {@code image/encoded} of {@code format("tfrecord")}, or {@code content}
 * of {@code format("binaryFile")}) and {@link #labelCol()}: <b>0-based</b> class indices {@code 0..numClasses-1}
 * as int or long (ImageNet TFRecords label 1..1000: subtract 1). Rows with a null image or label are skipped and
 * counted in the log; a label out of range fails the fit before training.
 *
 * <p>{@link #fit} caches the encoded bytes only (never decoded pixels) and trains through the project's
 * {@link Trainer} with the same input pipeline as the {@code train} command
 * ({@link ImageNetTrainingInput#fromRecords}): every epoch a seeded shuffle into {@code numWorkers} equal
 * partitions that decode and augment per partition: the ImageNet family with TF's ImageNet train preprocessing,
 * the CIFAR family with a resize of the whole image to {@code imageSize}, then TF's CIFAR-10 train augmentation
 * (4-pixel zero pad, random crop, random flip) and per-image standardization (see {@link EncodedImagePreprocessor}).
 * Learning rate schedule ({@link #lrSchedule()}, {@link #baseLearningRate()}, {@link #warmupEpochs()}) is built
 * as the {@code train} command builds it from the same flags; weight decay and momentum are the family's defaults
 * of that command.
 * Evaluation after the last epoch (and every {@link #epochsBetweenEvals()} epochs, if set) runs on the rows held
 * out by {@link #validationFraction()}, or on the training images when it is 0 (eval preprocessing), and is
 * logged as such. Images that fail to decode are skipped and
 * counted.
 *
 * <p>Checkpoints go to {@link #modelDir()} when set (an existing checkpoint there is resumed, as the {@code train}
 * command does), otherwise to a temporary directory under {@code spark.local.dir} that is deleted after the fit.
 *
 * <p>Persistence: {@code write().save(path)} / {@link #load(String)} store only the Params (Spark's
 * DefaultParamsWriter metadata under {@code path/metadata}).
 */
public final class ResNetClassifier extends Estimator<ResNetClassificationModel> implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ResNetClassifier.class);

    private final String uid;
    private final Param<String> family;
    private final IntParam resnetSize;
    private final Param<String> resnetVersion;
    private final IntParam numClasses;
    private final IntParam imageSize;
    private final Param<String> dataFormat;
    private final Param<String> labelCol;
    private final IntParam batchSize;
    private final IntParam epochs;
    private final IntParam epochsBetweenEvals;
    private final Param<String> lrSchedule;
    private final DoubleParam baseLearningRate;
    private final DoubleParam warmupEpochs;
    private final DoubleParam batchNormDecay;
    private final DoubleParam validationFraction;
    private final Param<String> trainingMaster;
    private final IntParam numWorkers;
    private final LongParam seed;
    private final Param<String> modelDir;
    private final Param<String> imageCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> topKCol;
    private final IntParam topK;
    private final IntParam inferenceBatchSize;

    public ResNetClassifier() {
        this(Identifiable$.MODULE$.randomUID("ResNetClassifier"));
    }

    public ResNetClassifier(String uid) {
        this.uid = uid;
        family = new Param<>(this, "family", "network family: imagenet (7x7 stem, 4 stages) or cifar10 (3x3 stem,"
                + " 3 stages); also selects the preprocessing, learning rate schedule and weight decay",
                ParamValidators.inArray(new String[] {"imagenet", "cifar10"}));
        resnetSize = new IntParam(this, "resnetSize", "depth: 18, 34, 50, 101, 152 or 200 for imagenet; 6n+2"
                + " (8, 20, 32, 56, ...) for cifar10", ParamValidators.gtEq(6));
        resnetVersion = new Param<>(this, "resnetVersion", "block layout: 1_original (stride on the 1x1), 1 (v1.5,"
                + " stride on the 3x3) or 2 (pre-activation)",
                ParamValidators.inArray(new String[] {"1_original", "1", "2"}));
        numClasses = new IntParam(this, "numClasses", "number of classes (>= 2); unset: 1000 for imagenet, 10"
                + " for cifar10", ParamValidators.gtEq(2));
        imageSize = new IntParam(this, "imageSize", "side of the square network input in pixels (>= 8); unset:"
                + " 224 for imagenet, 32 for cifar10", ParamValidators.gtEq(8));
        dataFormat = new Param<>(this, "dataFormat", "tensor layout: channels_first (NCHW) or channels_last (NHWC)",
                ParamValidators.inArray(new String[] {"channels_first", "channels_last"}));
        labelCol = new Param<>(this, "labelCol", "label column: 0-based class indices 0..numClasses-1 (int or"
                + " long); ImageNet TFRecords' 'image/class/label' is 1-based, subtract 1");
        batchSize = new IntParam(this, "batchSize", "GLOBAL batch size (>= 1), split evenly over numWorkers (must"
                + " be a multiple of it)", ParamValidators.gtEq(1));
        epochs = new IntParam(this, "epochs", "training epochs (>= 1)", ParamValidators.gtEq(1));
        epochsBetweenEvals = new IntParam(this, "epochsBetweenEvals", "evaluate, checkpoint and append to"
                + " metrics.json every this many epochs, and after the last (>= 0); 0: only after the last",
                ParamValidators.gtEq(0));
        lrSchedule = new Param<>(this, "lrSchedule", "learning rate schedule, as the train command's --lr_schedule:"
                + " official (TensorFlow's piecewise decay of the family) or linear (the same peak rate, warm-up over"
                + " min(2, epochs/10) epochs, then linear decay to 0 at the last epoch: better for short runs)",
                ParamValidators.inArray(new String[] {"official", "linear"}));
        baseLearningRate = new DoubleParam(this, "baseLearningRate", "peak learning rate per batch of 128 images"
                + " (cifar10) or 256 (imagenet), scaled by batchSize, as the train command's --base_learning_rate"
                + " (> 0); unset: the family's default (0.1 and 0.128)", ParamValidators.gt(0));
        warmupEpochs = new DoubleParam(this, "warmupEpochs", "linear warm-up from 0 over this many epochs, as the"
                + " train command's --warmup_epochs (>= 0; with lrSchedule linear shorter than the run); unset: the"
                + " schedule's own", ParamValidators.gtEq(0));
        batchNormDecay = new DoubleParam(this, "batchNormDecay", "decay of batch norm's moving averages, which"
                + " evaluation and prediction use, in (0, 1): TensorFlow's 0.997 needs ~1000 steps to settle; use"
                + " e.g. 0.9 when the fit has only a few hundred steps", ParamValidators.inRange(0, 1, false, false));
        validationFraction = new DoubleParam(this, "validationFraction", "fraction of the rows held out from"
                + " training (chosen by seed) for the evaluation after the last epoch (metrics.json, the model's"
                + " training metrics), in [0, 1); 0: evaluate on the training rows",
                ParamValidators.inRange(0, 1, true, false));
        trainingMaster = new Param<>(this, "trainingMaster", "DL4J training master: averaging (parameter"
                + " averaging) or sharing (gradient sharing)",
                ParamValidators.inArray(new String[] {"averaging", "sharing"}));
        numWorkers = new IntParam(this, "numWorkers", "training-master workers (>= 0); 0: 1 in local mode, else"
                + " the number of executors", ParamValidators.gtEq(0));
        seed = new LongParam(this, "seed", "random seed of weight initialization, data order and augmentation");
        modelDir = new Param<>(this, "modelDir", "Hadoop path for checkpoints, metrics.json and report; an"
                + " existing checkpoint there is resumed; unset: a temporary directory under spark.local.dir,"
                + " deleted after fit");
        imageCol = SharedParams.imageCol(this);
        predictionCol = SharedParams.predictionCol(this);
        probabilityCol = SharedParams.probabilityCol(this);
        topKCol = SharedParams.topKCol(this);
        topK = SharedParams.topK(this);
        inferenceBatchSize = SharedParams.inferenceBatchSize(this);
        SharedParams.setPredictionDefaults(this, imageCol, predictionCol, probabilityCol, topKCol, topK,
                inferenceBatchSize);
        setDefault(family, "imagenet");
        setDefault(resnetSize, 50);
        setDefault(resnetVersion, "1");
        setDefault(dataFormat, "channels_first");
        setDefault(labelCol, "label");
        setDefault(batchSize, 128);
        setDefault(epochs, 10);
        setDefault(epochsBetweenEvals, 0);
        setDefault(lrSchedule, "official");
        setDefault(batchNormDecay, ResNetBuilder.BN_DECAY);
        setDefault(validationFraction, 0.0);
        setDefault(trainingMaster, "averaging");
        setDefault(numWorkers, 0);
        setDefault(seed, 42L);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- Param accessors (Spark finds Params through these public no-argument methods) ----

    public Param<String> family() {
        return family;
    }

    public IntParam resnetSize() {
        return resnetSize;
    }

    public Param<String> resnetVersion() {
        return resnetVersion;
    }

    public IntParam numClasses() {
        return numClasses;
    }

    public IntParam imageSize() {
        return imageSize;
    }

    public Param<String> dataFormat() {
        return dataFormat;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam epochs() {
        return epochs;
    }

    public IntParam epochsBetweenEvals() {
        return epochsBetweenEvals;
    }

    public Param<String> lrSchedule() {
        return lrSchedule;
    }

    public DoubleParam baseLearningRate() {
        return baseLearningRate;
    }

    public DoubleParam warmupEpochs() {
        return warmupEpochs;
    }

    public DoubleParam batchNormDecay() {
        return batchNormDecay;
    }

    public DoubleParam validationFraction() {
        return validationFraction;
    }

    public Param<String> trainingMaster() {
        return trainingMaster;
    }

    public IntParam numWorkers() {
        return numWorkers;
    }

    public LongParam seed() {
        return seed;
    }

    public Param<String> modelDir() {
        return modelDir;
    }

    public Param<String> imageCol() {
        return imageCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> topKCol() {
        return topKCol;
    }

    public IntParam topK() {
        return topK;
    }

    public IntParam inferenceBatchSize() {
        return inferenceBatchSize;
    }

    // ---- getters ----

    public String getFamily() {
        return getOrDefault(family);
    }

    public int getResnetSize() {
        return (Integer) getOrDefault(resnetSize);
    }

    public String getResnetVersion() {
        return getOrDefault(resnetVersion);
    }

    /** The set value, else the family's default (1000 or 10). */
    public int getNumClasses() {
        return isDefined(numClasses) ? (Integer) getOrDefault(numClasses) : familyValue().defaultNumClasses();
    }

    /** The set value, else the family's default (224 or 32). */
    public int getImageSize() {
        return isDefined(imageSize) ? (Integer) getOrDefault(imageSize) : familyValue().defaultImageSize();
    }

    public String getDataFormat() {
        return getOrDefault(dataFormat);
    }

    public String getLabelCol() {
        return getOrDefault(labelCol);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public int getEpochs() {
        return (Integer) getOrDefault(epochs);
    }

    public int getEpochsBetweenEvals() {
        return (Integer) getOrDefault(epochsBetweenEvals);
    }

    public String getLrSchedule() {
        return getOrDefault(lrSchedule);
    }

    /** The set base learning rate, or NaN when unset (the family's default). */
    public double getBaseLearningRate() {
        return isDefined(baseLearningRate) ? (Double) getOrDefault(baseLearningRate) : Double.NaN;
    }

    /** The set warm-up in epochs, or NaN when unset (the schedule's own). */
    public double getWarmupEpochs() {
        return isDefined(warmupEpochs) ? (Double) getOrDefault(warmupEpochs) : Double.NaN;
    }

    public double getBatchNormDecay() {
        return (Double) getOrDefault(batchNormDecay);
    }

    public double getValidationFraction() {
        return (Double) getOrDefault(validationFraction);
    }

    public String getTrainingMaster() {
        return getOrDefault(trainingMaster);
    }

    public int getNumWorkers() {
        return (Integer) getOrDefault(numWorkers);
    }

    public long getSeed() {
        return (Long) getOrDefault(seed);
    }

    /** The set model directory, or null (a temporary one). */
    public String getModelDir() {
        return isDefined(modelDir) ? getOrDefault(modelDir) : null;
    }

    public String getImageCol() {
        return getOrDefault(imageCol);
    }

    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    public String getProbabilityCol() {
        return getOrDefault(probabilityCol);
    }

    public String getTopKCol() {
        return getOrDefault(topKCol);
    }

    public int getTopK() {
        return (Integer) getOrDefault(topK);
    }

    public int getInferenceBatchSize() {
        return (Integer) getOrDefault(inferenceBatchSize);
    }

    // ---- setters ----

    public ResNetClassifier setFamily(String v) {
        set(family, v);
        return this;
    }

    public ResNetClassifier setResnetSize(int v) {
        set(resnetSize, v);
        return this;
    }

    public ResNetClassifier setResnetVersion(String v) {
        set(resnetVersion, v);
        return this;
    }

    public ResNetClassifier setNumClasses(int v) {
        set(numClasses, v);
        return this;
    }

    public ResNetClassifier setImageSize(int v) {
        set(imageSize, v);
        return this;
    }

    public ResNetClassifier setDataFormat(String v) {
        set(dataFormat, v);
        return this;
    }

    public ResNetClassifier setLabelCol(String v) {
        set(labelCol, v);
        return this;
    }

    public ResNetClassifier setBatchSize(int v) {
        set(batchSize, v);
        return this;
    }

    public ResNetClassifier setValidationFraction(double v) {
        set(validationFraction, v);
        return this;
    }

    public ResNetClassifier setEpochs(int v) {
        set(epochs, v);
        return this;
    }

    public ResNetClassifier setEpochsBetweenEvals(int v) {
        set(epochsBetweenEvals, v);
        return this;
    }

    public ResNetClassifier setLrSchedule(String v) {
        set(lrSchedule, v);
        return this;
    }

    public ResNetClassifier setBaseLearningRate(double v) {
        set(baseLearningRate, v);
        return this;
    }

    public ResNetClassifier setWarmupEpochs(double v) {
        set(warmupEpochs, v);
        return this;
    }

    public ResNetClassifier setBatchNormDecay(double v) {
        set(batchNormDecay, v);
        return this;
    }

    public ResNetClassifier setTrainingMaster(String v) {
        set(trainingMaster, v);
        return this;
    }

    public ResNetClassifier setNumWorkers(int v) {
        set(numWorkers, v);
        return this;
    }

    public ResNetClassifier setSeed(long v) {
        set(seed, v);
        return this;
    }

    public ResNetClassifier setModelDir(String v) {
        set(modelDir, v);
        return this;
    }

    public ResNetClassifier setImageCol(String v) {
        set(imageCol, v);
        return this;
    }

    public ResNetClassifier setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public ResNetClassifier setProbabilityCol(String v) {
        set(probabilityCol, v);
        return this;
    }

    public ResNetClassifier setTopKCol(String v) {
        set(topKCol, v);
        return this;
    }

    public ResNetClassifier setTopK(int v) {
        set(topK, v);
        return this;
    }

    public ResNetClassifier setInferenceBatchSize(int v) {
        set(inferenceBatchSize, v);
        return this;
    }

    // ---- Estimator ----

    /** The architecture the Params describe; throws IllegalArgumentException naming the bad value. */
    public ResNetSpec spec() {
        return new ResNetSpec(familyValue(), getResnetSize(), ResNetVersion.parse(getResnetVersion()),
                getNumClasses(), getImageSize(),
                getDataFormat().equals("channels_last") ? CNN2DFormat.NHWC : CNN2DFormat.NCHW, DataType.FLOAT);
    }

    private DatasetFamily familyValue() {
        return DatasetFamily.parse(getFamily());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        ImageColumns.requireImage(schema, "imageCol", getImageCol());
        ImageColumns.requireLabel(schema, "labelCol", getLabelCol());
        return ImageColumns.withPredictions(schema, getPredictionCol(), getProbabilityCol(), getTopKCol());
    }

    @Override
    public ResNetClassificationModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        ResNetSpec spec = spec();
        Dataset<Row> df = dataset.toDF();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        int workers = workers(sc);
        int global = getBatchSize();
        if (global % workers != 0) {
            throw new IllegalArgumentException("batchSize " + global + " must be a positive multiple of numWorkers ("
                    + workers + ") so every worker gets the same share");
        }
        if (getLrSchedule().equals("linear") && getWarmupEpochs() >= getEpochs()) {
            throw new IllegalArgumentException("warmupEpochs " + getWarmupEpochs() + ": with lrSchedule linear it"
                    + " must be shorter than the run (epochs " + getEpochs() + ")");
        }
        Dataset<Row> labeled = df.select(functions.col(escape(getImageCol())).as("image"),
                functions.col(escape(getLabelCol())).cast("long").as("label"));
        checkLabels(labeled, spec.numClasses());

        int classes = spec.numClasses();
        JavaRDD<ImageNetRecord> records = labeled.javaRDD().mapPartitionsWithIndex((p, it) -> {
            List<ImageNetRecord> out = new ArrayList<>();
            long row = 0;
            while (it.hasNext()) {
                Row r = it.next();
                String source = "partition " + p + " row " + row++;
                if (!r.isNullAt(0) && !r.isNullAt(1)) {
                    out.add(new ImageNetRecord(source, (byte[]) r.get(0), Math.toIntExact(r.getLong(1)),
                            new float[0][]));
                }
            }
            return out.iterator();
        }, true).setName("encoded training images");
        InputSettings input = new InputSettings(global / workers, workers, spec.format(), classes, getSeed(), 0,
                BadRecordPolicy.SKIP, null);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class_" + c);
        }
        Configuration conf = sc.hadoopConfiguration();
        boolean temporary = getModelDir() == null;
        Path dir = temporary ? temporaryModelDir(sc) : new Path(getModelDir());
        double heldOut = getValidationFraction();
        long seed = getSeed();
        JavaRDD<ImageNetRecord> train = heldOut > 0 ? records.filter(r -> !isHeldOut(r, seed, heldOut)) : records;
        JavaRDD<ImageNetRecord> eval = heldOut > 0 ? records.filter(r -> isHeldOut(r, seed, heldOut)) : records;
        ImageNetTrainingInput training = ImageNetTrainingInput.fromRecords(sc, train, eval, input,
                spec.imageSize(), EncodedImagePreprocessor.factory(spec), names);
        try {
            LOG.info("fitting {} on {} images ({} used per epoch; evaluation on {}), model_dir {}", spec,
                    training.trainRecords(), training.trainImages(), heldOut > 0 ? training.evalImages()
                            + " held-out images" : "the training images (validationFraction 0)", dir);
            TrainSettings settings = settings(spec, training.trainImages(), workers);
            CheckpointStore store = new CheckpointStore(dir, conf, 1);
            new Trainer(sc, settings, training, store, report(settings, dir)).run();
            Path bundle = new Path(dir, "bundle");
            new BundleExporter(conf).export(dir.toString(), bundle.toString(), "latest", true);
            FileSystem fs = bundle.getFileSystem(conf);
            ResNetClassificationModel model = new ResNetClassificationModel(uid,
                    readAll(fs, new Path(bundle, ExportedModel.NETWORK_FILE)),
                    readAll(fs, new Path(bundle, ExportedModel.METADATA_FILE)));
            copyValues(model, ParamMap.empty());
            return model.setParent(this);
        } catch (IOException e) {
            throw new UncheckedIOException("training in " + dir + " failed: " + e.getMessage(), e);
        } finally {
            training.close();
            if (temporary) {
                deleteQuietly(dir, conf);
            }
        }
    }

    /** Whether a row goes to the validation set: a seeded draw per row, so the split is the same on every fit. */
    static boolean isHeldOut(ImageNetRecord r, long seed, double fraction) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + r.source().hashCode()).nextDouble() < fraction;
    }

    private TrainSettings settings(ResNetSpec spec, long images, int workers) {
        boolean cifar = spec.family() == DatasetFamily.CIFAR10;
        int global = getBatchSize();
        LearningRateSchedule schedule = LearningRateSchedule.forRun(spec.family(), global, images, false,
                getBaseLearningRate(), getLrSchedule().equals("linear"), getEpochs(), getWarmupEpochs());
        DistributionSettings dist = new DistributionSettings(
                DistributionSettings.TrainingMasterKind.parse(getTrainingMaster()), workers, 1, global / workers, 5,
                1e-3, true, 40123, getSeed());
        int between = getEpochsBetweenEvals() == 0 ? getEpochs() : getEpochsBetweenEvals();
        return new TrainSettings(spec, global, getEpochs(), between, 0, Double.NaN, cifar ? 2e-4 : 1e-4, 0.9,
                schedule, dist, getSeed(), 1, getBatchNormDecay());
    }

    private Map<String, Object> report(TrainSettings s, Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("api", "spark.ml ResNetClassifier " + uid);
        m.put("dataset", s.spec().family().flagValue());
        m.put("model_dir", dir.toString());
        m.put("resnet_size", s.spec().size());
        m.put("resnet_version", s.spec().version().flagValue());
        m.put("num_classes", s.spec().numClasses());
        m.put("image_size", s.spec().imageSize());
        m.put("data_format", s.spec().format().name());
        m.put("batch_size", s.globalBatch());
        m.put("num_workers", s.distribution().numWorkers());
        m.put("training_master", s.distribution().master().name().toLowerCase());
        m.put("train_epochs", s.trainEpochs());
        m.put("weight_decay", s.weightDecay());
        m.put("learning_rate", s.schedule().toString());
        m.put("seed", s.seed());
        m.put("batch_norm_decay", s.batchNormDecay());
        m.put("eval_data", getValidationFraction() > 0 ? "held-out rows (validationFraction "
                + getValidationFraction() + ", eval preprocessing)" : "the training images (eval preprocessing)");
        return m;
    }

    private void checkLabels(Dataset<Row> labeled, int classes) {
        Row stats = labeled.agg(functions.min("label"), functions.max("label"), functions.count("label"),
                functions.count(functions.lit(1)), functions.count("image")).first();
        long withLabel = stats.getLong(2);
        long rows = stats.getLong(3);
        if (withLabel == 0) {
            throw new IllegalArgumentException("no row has a label in labelCol '" + getLabelCol() + "'");
        }
        long min = stats.getLong(0);
        long max = stats.getLong(1);
        if (min < 0 || max >= classes) {
            throw new IllegalArgumentException("labelCol '" + getLabelCol() + "' holds labels " + min + ".." + max
                    + ", expected 0-based class indices 0.." + (classes - 1) + " (numClasses " + classes + ");"
                    + " 1-based labels such as ImageNet's must have 1 subtracted");
        }
        long withImage = stats.getLong(4);
        if (withLabel < rows || withImage < rows) {
            LOG.warn("skipping rows with a null image or label: {} without label, {} without image, of {}",
                    rows - withLabel, rows - withImage, rows);
        }
    }

    private int workers(JavaSparkContext sc) {
        int n = getNumWorkers();
        if (n > 0) {
            return n;
        }
        if (sc.isLocal()) {
            return 1;
        }
        return sc.getConf().getInt("spark.executor.instances",
                Math.max(1, sc.sc().getExecutorMemoryStatus().size() - 1));
    }

    private Path temporaryModelDir(JavaSparkContext sc) {
        String local = sc.getConf().get("spark.local.dir", System.getProperty("java.io.tmpdir")).split(",")[0];
        return new Path(new File(local, "resnet-ml-" + uid + "-" + UUID.randomUUID()).toURI());
    }

    private static String escape(String column) {
        return "`" + column.replace("`", "``") + "`";
    }

    private static byte[] readAll(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }

    private static void deleteQuietly(Path dir, Configuration conf) {
        try {
            dir.getFileSystem(conf).delete(dir, true);
        } catch (IOException e) {
            LOG.warn("could not delete the temporary model directory {}: {}", dir, e.getMessage());
        }
    }

    @Override
    public ResNetClassifier copy(ParamMap extra) {
        return (ResNetClassifier) defaultCopy(extra);
    }

    public static MLReader<ResNetClassifier> read() {
        return new DefaultParamsReader<>();
    }

    /** Loads an estimator saved with {@code write().save(path)}. */
    public static ResNetClassifier load(String path) {
        return read().load(path);
    }
}
