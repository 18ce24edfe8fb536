package org.resnetspark.data.imagenet.convert;

/**
 * What {@link ImageNetConverter} converts and how.
 *
 * @param inputDir             raw layout: {@code train/<synset>/*.JPEG} and {@code validation/} (flat, with
 *                             {@code validationLabelsFile}, or {@code validation/<synset>/*})
 * @param outputDir            where the shards go (created; must not already hold train-* or validation-* files)
 * @param labelsFile           synset list, one per line; label = line number (1-based). Null: the sorted
 *                             {@code train/} subdirectories
 * @param validationLabelsFile one synset per line for the sorted flat validation files (ImageNet's
 *                             {@code imagenet_2012_validation_synset_labels.txt}); null: that name in inputDir
 * @param metadataFile         {@code <synset>\t<human text>} lines (ImageNet's {@code imagenet_metadata.txt}) for
 *                             {@code image/class/text}; null: that name in inputDir if it exists, else the synset
 * @param bboxCsv              boxes as written by TF's {@code process_bounding_boxes.py}; null for none
 * @param trainShards          number of {@code train-*} files (TF: 1024)
 * @param validationShards     number of {@code validation-*} files (TF: 128)
 * @param seed                 seed of the shuffle of each split (TF: 12345)
 */
public record ConvertSettings(String inputDir, String outputDir, String labelsFile, String validationLabelsFile,
                              String metadataFile, String bboxCsv, int trainShards, int validationShards,
                              long seed) {

    public static final String VALIDATION_LABELS_NAME = "imagenet_2012_validation_synset_labels.txt";
    public static final String METADATA_NAME = "imagenet_metadata.txt";

    public ConvertSettings {
        if (trainShards < 1 || validationShards < 1) {
            throw new IllegalArgumentException("shard counts must be >= 1: train " + trainShards + ", validation "
                    + validationShards);
        }
        if (trainShards > 99_999 || validationShards > 99_999) {
            throw new IllegalArgumentException("shard counts must fit TF's 5-digit names: at most 99999");
        }
    }
}
