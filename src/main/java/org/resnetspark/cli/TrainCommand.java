package org.resnetspark.cli;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.train.BenchmarkLog;
import org.resnetspark.train.CheckpointStore;
import org.resnetspark.train.DistributionSettings;
import org.resnetspark.train.DistributionSettings.TrainingMasterKind;
import org.resnetspark.train.LearningRateSchedule;
import org.resnetspark.train.TrainSettings;
import org.resnetspark.train.Trainer;
import org.resnetspark.train.TrainingInput;
import org.resnetspark.train.WarmStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code train}: distributed training with TensorFlow-official flags, checkpoints and resume. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a ResNet on Spark (DL4J parameter averaging or gradient sharing), evaluate every"
                + " --epochs_between_evals epochs, checkpoint and report to --model_dir; resumes from its latest"
                + " checkpoint.")
public final class TrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    DataOptions data = new DataOptions();


    @Option(names = "--model_dir", paramLabel = "DIR", required = true,
            description = "Where checkpoints, metrics.json and report.html go (any Hadoop filesystem).")
    String modelDir;

    @Option(names = "--batch_size", paramLabel = "N",
            description = "GLOBAL batch size, split evenly over all workers. Default: 128 (cifar10), 256 (imagenet).")
    Integer batchSize;

    @Option(names = "--train_epochs", paramLabel = "N", description = "Default: 182 (cifar10), 90 (imagenet).")
    Integer trainEpochs;

    @Option(names = "--epochs_between_evals", paramLabel = "N",
            description = "Evaluate and checkpoint every N epochs (and after the last). Default: 10 (cifar10), 1"
                    + " (imagenet).")
    Integer epochsBetweenEvals;

    @Option(names = "--max_train_steps", paramLabel = "N", defaultValue = "0",
            description = "Stop after N global steps (0: no limit).")
    long maxTrainSteps;

    @Option(names = "--stop_threshold", paramLabel = "ACC",
            description = "Stop once top-1 evaluation accuracy reaches ACC (0..1).")
    Double stopThreshold;

    @Option(names = "--num_gpus", paramLabel = "N", defaultValue = "0",
            description = "0: CPU, one worker per executor using its cores; N >= 1: N workers per executor, one per"
                    + " GPU (needs the CUDA build, mvn -Pcuda).")
    int numGpus;

    @Option(names = "--num_workers", paramLabel = "N",
            description = "Total workers. Default: 1 in local mode; executors x max(1, num_gpus) on a cluster.")
    Integer numWorkers;


    @Option(names = "--lr_schedule", paramLabel = "official|linear", defaultValue = "official",
            description = "official: TensorFlow's piecewise decay (cifar10: x0.1 after epochs 91, 136, 182; imagenet:"
                    + " 5-epoch warm-up, x0.1 after 30, 60, 80, 90). linear: for short runs, the same peak rate with a"
                    + " linear warm-up over min(2, train_epochs/10) epochs, then a linear decay to 0 at the end of"
                    + " --train_epochs. Default: ${DEFAULT-VALUE}.")
    String lrSchedule;

    @Option(names = "--base_learning_rate", paramLabel = "LR",
            description = "Learning rate for a global batch of 128 (cifar10) or 256 (imagenet), scaled linearly with"
                    + " --batch_size: the peak of either schedule. Default: 0.1 (cifar10), 0.128 (imagenet; 0.1 when"
                    + " fine-tuning).")
    Double baseLearningRate;

    @Option(names = "--warmup_epochs", paramLabel = "E",
            description = "Linear warm-up from 0 to the peak rate over the first E epochs (may be fractional)."
                    + " Default: 0 (cifar10), 5 (imagenet; 0 when fine-tuning); with --lr_schedule linear"
                    + " min(2, train_epochs/10).")
    Double warmupEpochs;

    @Option(names = "--weight_decay", paramLabel = "L2",
            description = "L2 weight decay on conv/dense weights. Default: 2e-4 (cifar10), 1e-4 (imagenet).")
    Double weightDecay;

    @Option(names = "--training_master", paramLabel = "averaging|sharing", defaultValue = "averaging",
            description = "DL4J training master: parameter averaging or gradient sharing. Default: ${DEFAULT-VALUE}.")
    String trainingMaster;

    @Option(names = "--averaging_frequency", paramLabel = "N", defaultValue = "5",
            description = "Parameter averaging: minibatches per worker between averaging. Default: ${DEFAULT-VALUE}.")
    int averagingFrequency;

    @Option(names = "--sharing_threshold", paramLabel = "T", defaultValue = "1e-3",
            description = "Gradient sharing: initial encoding threshold. Default: ${DEFAULT-VALUE}.")
    double sharingThreshold;

    @Option(names = "--sharing_threshold_algorithm", paramLabel = "adaptive|fixed", defaultValue = "adaptive",
            description = "Gradient sharing: threshold algorithm. Default: ${DEFAULT-VALUE}.")
    String sharingAlgorithm;

    @Option(names = "--controller_port", paramLabel = "PORT", defaultValue = "40123",
            description = "Gradient sharing: the driver's Aeron UDP port. Default: ${DEFAULT-VALUE}.")
    int controllerPort;

    @Option(names = "--clean", description = "Delete --model_dir before training (no resume).")
    boolean clean;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;



    @Option(names = "--benchmark_log_dir", paramLabel = "DIR",
            description = "Also write TensorFlow-style benchmark logs (benchmark_run.log, metric.log) to DIR.")
    String benchmarkLogDir;

    @Option(names = "--batch_norm_decay", paramLabel = "D", defaultValue = "0.997",
            description = "Decay of batch norm's moving averages, which evaluation uses. TensorFlow's 0.997 needs"
                    + " ~1000 steps to settle; use e.g. 0.9 for runs of a few hundred steps. Default: ${DEFAULT-VALUE}.")
    double batchNormDecay;

    @Option(names = "--nesterov", description = "Nesterov momentum (TensorFlow's use_nesterov): step along"
            + " gradient + 0.9 x velocity instead of the velocity. Default: heavy-ball momentum, as TensorFlow's"
            + " ResNet.")
    boolean nesterov;

    @Option(names = "--zero_init_residual", description = "Start the last batch norm of every residual branch with"
            + " gamma 0, so each block starts as its shortcut (ResNet v1 and v1.5 only). Default: gamma 1.")
    boolean zeroInitResidual;

    @Option(names = "--keep_checkpoint_max", paramLabel = "N", defaultValue = "5",
            description = "Checkpoints kept. Default: ${DEFAULT-VALUE}.")
    int keepCheckpoints;

    @Option(names = "--pretrained_model_checkpoint_path", paramLabel = "PATH",
            description = "Transfer learning: initialize every layer but final_dense from this checkpoint zip or"
                    + " model_dir (its latest checkpoint); final_dense is built for --num_classes. Needs the same"
                    + " family, size, version and data format. A checkpoint in --model_dir wins over it.")
    String pretrainedCheckpoint;

    @Option(names = "--fine_tune", description = "Train only final_dense (the rest frozen, batch norm in"
            + " inference mode); ImageNet learning rate 0.1 x batch/256 without warm-up.")
    boolean fineTune;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DatasetFamily family = data.family(model);
        ResNetSpec resnet = model.spec(family);
        validateBasics();
        if (zeroInitResidual && resnet.version().preActivation()) {
            throw new UsageException("--zero_init_residual needs --resnet_version 1 or 1.5: v2 blocks end in a"
                    + " convolution, not batch norm");
        }
        int epochs = trainEpochs != null ? trainEpochs : (family == DatasetFamily.CIFAR10 ? 182 : 90);
        if (warmupEpochs != null && linearSchedule() && warmupEpochs >= epochs) {
            throw new UsageException("--warmup_epochs " + warmupEpochs + ": with --lr_schedule linear it must be"
                    + " shorter than the run (" + epochs + " epochs)");
        }
        try (SparkSessions.Job job = SparkSessions.open("resnet-spark train")) {
            SparkSession spark = job.spark();
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int workers = workers(sc);
            int global = batchSize != null ? batchSize : (family == DatasetFamily.CIFAR10 ? 128 : 256);
            if (global < workers || global % workers != 0) {
                throw new UsageException("--batch_size " + global + " must be a positive multiple of the number of"
                        + " workers (" + workers + ") so every worker gets the same share");
            }
            int perWorker = global / workers;
            if (numGpus == 0) {
                MemoryCheck.require(resnet, perWorker, sc.isLocal() ? workers : 1, sc.isLocal(), sc.getConf());
            }
            Path dir = new Path(modelDir);
            if (clean) {
                FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
                if (fs.exists(dir)) {
                    LOG.info("--clean: deleting {}", dir);
                    fs.delete(dir, true);
                }
            }
            CheckpointStore store = new CheckpointStore(dir, sc.hadoopConfiguration(), keepCheckpoints);
            try {
                store.requireWritable();
            } catch (IOException e) {
                throw new UsageException("--model_dir " + e.getMessage());
            }
            TrainingInput input = data.open(sc, resnet, perWorker, workers, seed);
            MemoryCheck.warnIfCacheExceedsHeap(resnet, perWorker, master() == TrainingMasterKind.AVERAGING
                            ? averagingFrequency : input.trainImages() / global, sc.isLocal() ? workers : 1,
                    sc.isLocal(), sc.getConf());
            LearningRateSchedule schedule = schedule(family, global, input.trainImages(), epochs);
            DistributionSettings dist = new DistributionSettings(master(), workers, Math.max(1, numGpus), perWorker,
                    averagingFrequency, sharingThreshold, sharingAdaptive(), controllerPort, seed);
            int between = epochsBetweenEvals != null ? epochsBetweenEvals : (family == DatasetFamily.CIFAR10 ? 10 : 1);
            double wd = weightDecay != null ? weightDecay : (family == DatasetFamily.CIFAR10 ? 2e-4 : 1e-4);
            TrainSettings settings = new TrainSettings(resnet, global, epochs, between, maxTrainSteps,
                    stopThreshold == null ? Double.NaN : stopThreshold, wd, 0.9, schedule, dist, seed,
                    keepCheckpoints, batchNormDecay, nesterov, zeroInitResidual);
            WarmStart warmStart = WarmStart.of(pretrainedCheckpoint, fineTune, sc.hadoopConfiguration());
            Trainer.Result r;
            try {
                Map<String, Object> runSettings = reportSettings(settings, family);
                Trainer trainer = new Trainer(sc, settings, input, store, runSettings).warmStart(warmStart);
                if (benchmarkLogDir != null) {
                    trainer.benchmarkLog(new BenchmarkLog(new Path(benchmarkLogDir), sc.hadoopConfiguration(),
                            "resnet" + resnet.size(), family.flagValue(), runSettings));
                }
                r = trainer.run();
            } catch (WarmStart.UnusableCheckpointException e) {
                throw new UsageException(e.getMessage());
            }
            spec.commandLine().getOut().printf("trained %d epochs (%d steps); top-1 %.4f; model_dir %s%n",
                    r.epochsDone(), r.globalStep(), r.lastTop1(), dir);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private void validateBasics() {
        data.validate();
        if (numGpus < 0) {
            throw new UsageException("--num_gpus must be >= 0, got " + numGpus);
        }
        if (numGpus > 0 && !cudaBackendPresent()) {
            throw new UsageException("--num_gpus " + numGpus + " needs the CUDA build of resnet-spark (mvn -Pcuda);"
                    + " this build has only the CPU backend (nd4j-native)");
        }
        if (epochsBetweenEvals != null && epochsBetweenEvals < 1) {
            throw new UsageException("--epochs_between_evals must be >= 1, got " + epochsBetweenEvals);
        }
        if (trainEpochs != null && trainEpochs < 1) {
            throw new UsageException("--train_epochs must be >= 1, got " + trainEpochs);
        }
        if (!(batchNormDecay > 0 && batchNormDecay < 1)) {
            throw new UsageException("--batch_norm_decay must be in (0, 1), got " + batchNormDecay);
        }
        if (baseLearningRate != null && !(baseLearningRate > 0)) {
            throw new UsageException("--base_learning_rate must be > 0, got " + baseLearningRate);
        }
        if (warmupEpochs != null && !(warmupEpochs >= 0)) {
            throw new UsageException("--warmup_epochs must be >= 0, got " + warmupEpochs);
        }
        master();
        sharingAdaptive();
        linearSchedule();
    }

    static boolean cudaBackendPresent() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, TrainCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private TrainingMasterKind master() {
        try {
            return TrainingMasterKind.parse(trainingMaster);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--training_master: " + e.getMessage());
        }
    }

    /** The learning-rate schedule the flags ask for. */
    private LearningRateSchedule schedule(DatasetFamily family, int global, long images, int epochs) {
        return LearningRateSchedule.forRun(family, global, images, fineTune,
                baseLearningRate != null ? baseLearningRate : Double.NaN, linearSchedule(), epochs,
                warmupEpochs != null ? warmupEpochs : Double.NaN);
    }

    private boolean linearSchedule() {
        return switch (lrSchedule) {
            case "official" -> false;
            case "linear" -> true;
            default -> throw new UsageException("--lr_schedule: invalid value '" + lrSchedule
                    + "': expected official or linear");
        };
    }

    private boolean sharingAdaptive() {
        return switch (sharingAlgorithm) {
            case "adaptive" -> true;
            case "fixed" -> false;
            default -> throw new UsageException("--sharing_threshold_algorithm: invalid value '" + sharingAlgorithm
                    + "': expected adaptive or fixed");
        };
    }

    /** Workers: the flag, else 1 per local JVM or per executor, times the GPUs of each. */
    private int workers(JavaSparkContext sc) {
        if (numWorkers != null) {
            if (numWorkers < 1) {
                throw new UsageException("--num_workers must be >= 1, got " + numWorkers);
            }
            return numWorkers;
        }
        int perExecutor = Math.max(1, numGpus);
        if (sc.isLocal()) {
            return perExecutor;
        }
        int executors = sc.getConf().getInt("spark.executor.instances",
                Math.max(1, sc.sc().getExecutorMemoryStatus().size() - 1));
        return executors * perExecutor;
    }

    private Map<String, Object> reportSettings(TrainSettings s, DatasetFamily family) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", family.flagValue());
        m.put("data_dir", data.describe());
        m.put("model_dir", modelDir);
        m.put("resnet_size", s.spec().size());
        m.put("resnet_version", s.spec().version().flagValue());
        m.put("num_classes", s.spec().numClasses());
        m.put("image_size", s.spec().imageSize());
        m.put("data_format", s.spec().format().name());
        m.put("dtype", s.spec().dataType().name());
        m.put("batch_size", s.globalBatch());
        m.put("num_workers", s.distribution().numWorkers());
        m.put("training_master", s.distribution().master().name().toLowerCase());
        m.put("train_epochs", s.trainEpochs());
        m.put("weight_decay", s.weightDecay());
        m.put("label_smoothing", data.labelSmoothing);
        m.put("on_bad_record", data.badRecordPolicy().name().toLowerCase());
        m.put("learning_rate", s.schedule().toString());
        m.put("seed", s.seed());
        m.put("batch_norm_decay", s.batchNormDecay());
        m.put("nesterov", s.nesterov());
        m.put("zero_init_residual", s.zeroInitResidual());
        m.put("pretrained_model_checkpoint_path", pretrainedCheckpoint);
        m.put("fine_tune", fineTune);
        return m;
    }
}
