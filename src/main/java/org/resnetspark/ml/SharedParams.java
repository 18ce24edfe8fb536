package org.resnetspark.ml;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The Params the estimator and the model share (image input and prediction outputs), declared once. Java cannot
 * mix in Spark's {@code Has*Col} traits, so each class holds its own instances built here.
 */
final class SharedParams {

    static final String DEFAULT_IMAGE_COL = "image/encoded";

    private SharedParams() {
    }

    static Param<String> imageCol(Params owner) {
        return new Param<>(owner, "imageCol", "binary column of encoded JPEG/PNG images: 'image/encoded' of"
                + " format(\"tfrecord\"), or 'content' of format(\"binaryFile\")");
    }

    static Param<String> predictionCol(Params owner) {
        return new Param<>(owner, "predictionCol", "output column: the most probable 0-based class (double);"
                + " null for an unreadable image");
    }

    static Param<String> probabilityCol(Params owner) {
        return new Param<>(owner, "probabilityCol", "output column: softmax class probabilities (ml Vector of"
                + " numClasses values summing to 1); null for an unreadable image");
    }

    static Param<String> topKCol(Params owner) {
        return new Param<>(owner, "topKCol", "output column: the topK most probable 0-based classes, best first"
                + " (array<int>); null for an unreadable image");
    }

    static IntParam topK(Params owner) {
        return new IntParam(owner, "topK", "number of classes in topKCol (>= 1; at most numClasses are given)",
                ParamValidators.gtEq(1));
    }

    static IntParam inferenceBatchSize(Params owner) {
        return new IntParam(owner, "inferenceBatchSize", "images per network call when predicting (>= 1), per"
                + " task", ParamValidators.gtEq(1));
    }

    static void setPredictionDefaults(Params owner, Param<String> imageCol, Param<String> predictionCol,
                                      Param<String> probabilityCol, Param<String> topKCol, IntParam topK,
                                      IntParam inferenceBatchSize) {
        owner.setDefault(imageCol, DEFAULT_IMAGE_COL);
        owner.setDefault(predictionCol, "prediction");
        owner.setDefault(probabilityCol, "probability");
        owner.setDefault(topKCol, "topK");
        owner.setDefault(topK, 5);
        owner.setDefault(inferenceBatchSize, 32);
    }
}
