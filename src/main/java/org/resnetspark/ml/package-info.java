/**
 * The Spark ML API: {@link org.resnetspark.ml.ResNetClassifier} (an {@code Estimator}) trains a ResNet on a
 * DataFrame of encoded images through the project's {@link org.resnetspark.train.Trainer};
 * {@link org.resnetspark.ml.ResNetClassificationModel} (a {@code Model}) adds prediction, probability and top-k
 * columns. Both persist with Spark's {@code MLWritable}/{@code MLReadable} conventions.
 */
package org.resnetspark.ml;
