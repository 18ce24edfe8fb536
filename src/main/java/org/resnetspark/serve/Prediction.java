package org.resnetspark.serve;

/**
 * One of an image's top-k classes.
 *
 * @param rank        1 for the most probable class
 * @param classIndex  output index of {@code final_dense}
 * @param name        the class name from the bundle's metadata
 * @param probability softmax probability
 */
public record Prediction(int rank, int classIndex, String name, double probability) { }
