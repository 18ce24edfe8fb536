package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.data.HeapBatch;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The epoch loop: train one epoch through the training master, evaluate every
 * {@code epochsBetweenEvals} epochs, checkpoint, report; resume from the model directory's latest checkpoint.
 *
 * <p>The learning rate is a function of the global step only; the loop sets the network's step counter at
 * the start of every epoch from its own count, so a resumed run continues on exactly the same schedule.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final JavaSparkContext sc;
    private final TrainSettings settings;
    private final TrainingInput input;
    private final CheckpointStore store;
    private final Map<String, Object> reportSettings;
    private final WorkerStepSync stepSync = new WorkerStepSync();
    private Duration progressInterval = Duration.ofSeconds(30);
    private BenchmarkLog benchmarkLog;
    private WarmStart warmStart = WarmStart.none();
    /** Under gradient sharing only: fails the run fast when an executor is lost. */
    private ExecutorLossGuard lossGuard;

    /** What a finished run did. */
    public record Result(int epochsDone, long globalStep, double lastTop1, ComputationGraph network) { }

    public Trainer(JavaSparkContext sc, TrainSettings settings, TrainingInput input, CheckpointStore store,
                   Map<String, Object> reportSettings) {
        this.sc = sc;
        this.settings = settings;
        this.input = input;
        this.store = store;
        this.reportSettings = reportSettings;
    }

    /** How often a progress line is logged while an epoch trains (default 30 s). */
    public Trainer progressInterval(Duration interval) {
        this.progressInterval = interval;
        return this;
    }

    /** Also writes TensorFlow-style benchmark logs ({@code --benchmark_log_dir}). */
    public Trainer benchmarkLog(BenchmarkLog log) {
        this.benchmarkLog = log;
        return this;
    }

    /** How the network starts when the model directory has no checkpoint (default: fresh, all trainable). */
    public Trainer warmStart(WarmStart warmStart) {
        this.warmStart = warmStart;
        return this;
    }

    /**
     * Restores the network from the latest checkpoint, or builds it through the {@link WarmStart} (fresh or from
     * a pretrained checkpoint), then trains.
     */
    public Result run() throws IOException {
        ComputationGraph net;
        int epochsDone;
        long step;
        Optional<CheckpointStore.Checkpoint> ckpt = store.loadLatest();
        if (ckpt.isPresent()) {
            net = ckpt.get().network();
            requireSameArchitecture(net, ckpt.get());
            net = warmStart.resumed(net, ckpt.get().path());
            // checkpoints written before the builder cached convolution outputs resume with the cache too
            ResNetBuilder.useConvolutionCache(net);
            epochsDone = ckpt.get().epochsDone();
            step = ckpt.get().globalStep();
            net.setLearningRate(settings.schedule());
            LOG.info("resuming from {} after epoch {} (global step {})", ckpt.get().path(), epochsDone, step);
        } else {
            net = warmStart.initialNetwork(settings);
            epochsDone = 0;
            step = 0;
        }
        return train(net, epochsDone, step);
    }

    private Result train(ComputationGraph net, int epochsDone, long step) throws IOException {
        TrainingMaster<?, ?> tm = TrainingMasterFactory.create(settings.distribution(), sc.getConf()
                .get("spark.driver.host", "127.0.0.1"), stepSync);
        LongAccumulator minibatches = sc.sc().longAccumulator("minibatches trained");
        // WorkerBatchNorm as a listener reaches gradient sharing's workers; averaging's get it as a hook (factory)
        tm.setListeners(List.of(new MinibatchCounter(minibatches), new WorkerBatchNorm()));
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, tm);
        RunReport report = new RunReport(store, reportSettings, input.classNames(), epochsDone);
        long stepsPerEpoch = (long) Math.ceil((double) input.trainImages() / settings.globalBatch());
        long runSteps = (long) settings.trainEpochs() * stepsPerEpoch;
        if (settings.maxTrainSteps() > 0) {
            runSteps = Math.min(runSteps, settings.maxTrainSteps());
        }
        int workers = settings.distribution().numWorkers();
        boolean sharing = settings.distribution().master() == DistributionSettings.TrainingMasterKind.SHARING;
        lossGuard = sharing ? new ExecutorLossGuard(sc.sc()) : null;
        try (ProgressReporter progress = new ProgressReporter(minibatches, workers,
                settings.distribution().batchPerWorker(), settings.schedule(), progressInterval)) {
            return epochs(net, sparkNet, report, progress, minibatches, epochsDone, step, stepsPerEpoch, runSteps);
        } finally {
            if (lossGuard != null) {
                lossGuard.close();
            }
        }
    }

    private Result epochs(ComputationGraph net, SparkComputationGraph sparkNet, RunReport report,
                          ProgressReporter progress, LongAccumulator minibatches, int epochsDone, long step,
                          long stepsPerEpoch, long runSteps)
            throws IOException {
        LOG.info("training {} for {} epochs: {} images/epoch, global batch {}, {} steps/epoch, {}",
                settings.spec(), settings.trainEpochs(), input.trainImages(), settings.globalBatch(), stepsPerEpoch,
                settings.schedule());
        double lastTop1 = report.lastTop1();
        double loss = Double.NaN;
        for (int epoch = epochsDone; epoch < settings.trainEpochs(); epoch++) {
            long maxSteps = settings.maxTrainSteps();
            if (maxSteps > 0 && step >= maxSteps) {
                LOG.info("max_train_steps {} reached", maxSteps);
                break;
            }
            long steps = maxSteps > 0 ? Math.min(stepsPerEpoch, maxSteps - step) : stepsPerEpoch;
            net.getConfiguration().setIterationCount((int) step);
            net.getConfiguration().setEpochCount(epoch);
            double lr = settings.schedule().rate(step);
            progress.startEpoch(epoch + 1, settings.trainEpochs(), step, steps, runSteps, loss);
            long minibatchesBefore = minibatches.value();
            long t0 = System.nanoTime();
            net.setScore(0);
            double inputSeconds = trainEpoch(sparkNet, epoch, steps, steps < stepsPerEpoch);
            double seconds = (System.nanoTime() - t0) / 1e9;
            boolean reported = settings.distribution().master().reportsMinibatches();
            // averaging: the mean score of the last round's workers, on the SparkComputationGraph. Gradient sharing
            // puts its executors' mean last-minibatch score on the network instead; with several worker threads
            // per executor DL4J reads the score of a model its ParallelWrapper replicas do not update (by DL4J's
            // code, not measured), so 0 there means "no score"
            double score = reported ? sparkNet.getScore() : net.score();
            boolean scored = reported || score != 0;
            loss = scored ? score : Double.NaN;
            step += steps;
            boolean lossDiverged = scored && !Double.isFinite(score);
            // the parameters catch what the loss cannot show (a NaN after the scored minibatch, or no score)
            double paramSum = net.params().sumNumber().doubleValue();
            if (lossDiverged || !Double.isFinite(paramSum)) {
                throw new DivergenceException("training diverged: " + (lossDiverged ? "loss " + loss
                        : "non-finite parameters") + " in epoch " + (epoch + 1)
                        + " (global steps " + (step - steps) + ".." + step + "); the latest checkpoint in "
                        + store.modelDir() + " is the last good one");
            }
            boolean last = epoch + 1 == settings.trainEpochs() || (maxSteps > 0 && step >= maxSteps);
            EpochMetrics.Eval eval = null;
            if ((epoch + 1) % settings.epochsBetweenEvals() == 0 || last) {
                sc.setJobDescription("evaluate after epoch " + (epoch + 1));
                eval = DistributedEvaluation.run(sparkNet, input.evalBatches(), input.classNames(),
                        settings.distribution().batchPerWorker());
                lastTop1 = eval.top1();
            }
            // Parameter averaging: counted on the executors from successful tasks only, so a partition lost with
            // an executor and not retried shows as missing images. Under gradient sharing DL4J keeps the listeners of
            // the first task it ran on an executor (measured: the first epoch counted, later ones 0), so the count is
            // the planned one there, and completeness rests on the job succeeding.
            long images = reported
                    ? (minibatches.value() - minibatchesBefore) * settings.distribution().batchPerWorker()
                    : Math.min(input.trainImages(), steps * settings.globalBatch());
            // report before checkpoint: a crash in between leaves one report entry more than checkpoints, which
            // the resume drops; the other order would lose the epoch's metrics for good
            EpochMetrics metrics = new EpochMetrics(epoch + 1, step, lr, loss, images, seconds, input.badRecords(),
                    eval, inputSeconds);
            report.add(metrics);
            if (benchmarkLog != null) {
                benchmarkLog.epoch(metrics);
            }
            store.save(net, epoch + 1, step, eval == null ? Double.NaN : eval.top1());
            // the rates of the epoch's first and last steps (under a warm-up or decay the first alone misleads)
            LOG.info("epoch {}/{}: loss {}, lr {} to {}, {} img/s, input wait {}%{}", epoch + 1,
                    settings.trainEpochs(), String.format("%.4f", loss), String.format("%.4g", lr),
                    String.format("%.4g", settings.schedule().rate(step - 1)), String.format("%.1f", images / seconds),
                    String.format("%.1f", 100 * metrics.inputWaitFraction()),
                    eval == null ? "" : String.format(", top-1 %.2f%%, top-5 %.2f%%, eval loss %.4f",
                            100 * eval.top1(), 100 * eval.top5(), eval.loss()));
            epochsDone = epoch + 1;
            if (eval != null && !Double.isNaN(settings.stopThreshold()) && eval.top1() >= settings.stopThreshold()) {
                LOG.info("stop_threshold {} reached: top-1 {}", settings.stopThreshold(), eval.top1());
                break;
            }
        }
        return new Result(epochsDone, step, lastTop1, net);
    }

    /**
     * Trains {@code steps} minibatches per worker of an epoch, one averaging round per {@code fit} under parameter
     * averaging (see {@link EpochRounds}), rounds of {@link #sharingRoundMinibatches} under gradient sharing; each
     * round's input is prepared while the previous round trains ({@link RoundPrefetcher}).
     *
     * @return seconds the loop waited for input with no round training
     */
    private double trainEpoch(SparkComputationGraph sparkNet, int epoch, long steps, boolean truncated)
            throws IOException {
        DistributionSettings d = settings.distribution();
        int perRound = d.master() == DistributionSettings.TrainingMasterKind.AVERAGING
                ? d.averagingFrequency() : sharingRoundMinibatches(settings.spec(), d.batchPerWorker());
        JavaRDD<HeapBatch> epochBatches = input.trainHeapBatches(epoch, perRound);
        int rounds = (int) Math.min(EpochRounds.rounds(epochBatches, d.numWorkers()),
                (steps + perRound - 1) / perRound);
        List<JavaRDD<HeapBatch>> roundRdds = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            JavaRDD<HeapBatch> round = EpochRounds.round(epochBatches, r, d.numWorkers());
            long left = steps - (long) r * perRound;
            roundRdds.add(truncated && left < perRound ? firstBatchesOfEachPartition(round, left * d.numWorkers())
                    : round);
        }
        String epochName = "epoch " + (epoch + 1) + "/" + settings.trainEpochs();
        try (RoundPrefetcher prefetcher = new RoundPrefetcher(sc, roundRdds, epochName)) {
            for (int r = 0; r < rounds; r++) {
                JavaRDD<HeapBatch> round = prefetcher.next();
                // the round is cached in heap memory; each batch becomes ND4J arrays only as DL4J reads it
                JavaRDD<DataSet> minibatches = round.map(HeapBatch::toDataSet);
                String description = "train " + epochName + (rounds > 1 ? ", round " + (r + 1) + "/" + rounds : "");
                stepSync.startAt(sparkNet.getNetwork().getConfiguration());
                if (lossGuard == null) {
                    sc.setJobDescription(description);
                    sparkNet.fit(minibatches);
                } else {
                    fitGuarded(sparkNet, minibatches, description, epoch + 1);
                }
                prefetcher.trained(round);
            }
            return prefetcher.waitSeconds();
        }
    }

    /**
     * Minibatches per worker in one gradient-sharing {@code fit}: as many as fit in {@value #SHARING_ROUND_MB_PROPERTY}
     * MB of input tensors per worker (default {@value #SHARING_ROUND_MB_DEFAULT}), at least one.
     *
     * <p>Why rounds under sharing too: DL4J's {@code SharedTrainingMaster} caches and counts the RDD it is given
     * before training, and the prefetch caches it as well; given a whole epoch, that is every augmented float tensor
     * of the epoch (~770 GB for ImageNet at 224 px) where only the encoded images should be cached. CIFAR-10 at batch
     * 128 fits 341 minibatches in 512 MB (2 rounds per epoch), ImageNet at 224 px and batch 32 fits 27. Each round
     * costs DL4J a broadcast of the parameters and an aggregation of the workers' results.
     */
    static int sharingRoundMinibatches(ResNetSpec spec, int batchPerWorker) {
        long mb = Long.getLong(SHARING_ROUND_MB_PROPERTY, SHARING_ROUND_MB_DEFAULT);
        long bytesPerMinibatch = (long) batchPerWorker * 3 * spec.imageSize() * spec.imageSize()
                * spec.dataType().width();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (mb << 20) / bytesPerMinibatch));
    }

    /** System property: MB of input tensors per worker in one gradient-sharing round. */
    static final String SHARING_ROUND_MB_PROPERTY = "resnet.spark.sharingRoundMB";
    static final long SHARING_ROUND_MB_DEFAULT = 512;

    /** A {@code fit} in the job group that {@link ExecutorLossGuard} cancels when an executor is lost. */
    private void fitGuarded(SparkComputationGraph sparkNet, JavaRDD<DataSet> round, String description, int epoch) {
        String modelDir = store.modelDir().toString();
        lossGuard.check(epoch, modelDir, null);
        sc.setJobGroup(ExecutorLossGuard.JOB_GROUP, description, true);
        try {
            sparkNet.fit(round);
        } catch (RuntimeException e) {
            lossGuard.check(epoch, modelDir, e);
        } finally {
            sc.clearJobGroup();
        }
        lossGuard.check(epoch, modelDir, null);
    }

    /**
     * Keeps {@code keep} minibatches spread evenly over the partitions (one per worker), so that every worker
     * trains the same number of steps under {@code --max_train_steps}.
     */
    private static <T> JavaRDD<T> firstBatchesOfEachPartition(JavaRDD<T> batches, long keep) {
        long perPartition = (keep + batches.getNumPartitions() - 1) / batches.getNumPartitions();
        return batches.mapPartitions(it -> new Iterator<T>() {
            private long taken;

            @Override
            public boolean hasNext() {
                return taken < perPartition && it.hasNext();
            }

            @Override
            public T next() {
                taken++;
                return it.next();
            }
        }, true);
    }

    private void requireSameArchitecture(ComputationGraph restored, CheckpointStore.Checkpoint ckpt) {
        ComputationGraph fresh = new ComputationGraph(ResNetBuilder.of(settings.spec()).configuration());
        long expected = fresh.getConfiguration().getVertices().size();
        long outputs = restored.getLayer(ResNetBuilder.FINAL_DENSE).getParam("W").size(1);
        if (restored.getConfiguration().getVertices().size() != expected || outputs != settings.spec().numClasses()) {
            throw new IllegalStateException("checkpoint " + ckpt.path() + " holds a different network ("
                    + restored.getConfiguration().getVertices().size() + " vertices, " + outputs
                    + " classes) than the flags ask for (" + settings.spec() + "); use another --model_dir or --clean");
        }
    }
}
