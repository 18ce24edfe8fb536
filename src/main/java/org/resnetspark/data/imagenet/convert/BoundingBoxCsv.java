package org.resnetspark.data.imagenet.convert;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounding boxes in the CSV that TensorFlow's {@code process_bounding_boxes.py} writes: one box per line,
 * {@code <file name>,<xmin>,<ymin>,<xmax>,<ymax>}, coordinates normalized to the image size; a file may have
 * several lines, most have none. Coordinates are clipped to [0, 1] (annotations slightly outside the image
 * exist), as TensorFlow does before writing them.
 */
public final class BoundingBoxCsv {

    private BoundingBoxCsv() {
    }

    /**
     * @return boxes {xmin, ymin, xmax, ymax} per file name (no directories)
     * @throws IllegalArgumentException naming the line that is not {@code name,float,float,float,float}
     */
    public static Map<String, List<float[]>> read(BufferedReader in, String source) throws IOException {
        Map<String, List<float[]>> boxes = new HashMap<>();
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(",");
            if (f.length != 5) {
                throw new IllegalArgumentException(source + " line " + number + ": '" + line + "', expected"
                        + " <file>,<xmin>,<ymin>,<xmax>,<ymax>");
            }
            float[] box = new float[4];
            try {
                for (int i = 0; i < 4; i++) {
                    box[i] = Math.max(0f, Math.min(1f, Float.parseFloat(f[i + 1].trim())));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + " line " + number + ": '" + line + "', expected"
                        + " normalized float coordinates");
            }
            boxes.computeIfAbsent(f[0].trim(), k -> new ArrayList<>()).add(box);
        }
        return boxes;
    }
}
