/*
 * JNI entry point of org.resnetspark.data.imagenet.BilinearResampler: the same bilinear resampling as its Java
 * loop (TensorFlow's compute_lerp in float, then the channel means subtracted), from decoded B,G,R bytes to float
 * R,G,B planes (NCHW) or pixels (NHWC).
 *
 * Same values, bit for bit: every result is the same float operations in the same order as the Java code, and the
 * build forbids contracting them into fused multiply-adds (-ffp-contract=off), which Java never does. Only the
 * order of the loops differs: a source row's horizontal blends are kept per channel, so the vertical blend is a
 * contiguous loop the compiler vectorizes.
 */
#include <jni.h>
#include <stdlib.h>

/* Horizontal blends of one source row (bytes at row) into planes r, g, b. */
static void blend_row(const unsigned char *row, const jint *lo, const jint *hi, const jfloat *lerp, int w,
                      float *r, float *g, float *b) {
    for (int j = 0; j < w; j++) {
        const unsigned char *p = row + lo[j];
        const unsigned char *q = row + hi[j];
        float l = lerp[j];
        float b0 = p[0], g0 = p[1], r0 = p[2];
        b[j] = b0 + ((float) q[0] - b0) * l;
        g[j] = g0 + ((float) q[1] - g0) * l;
        r[j] = r0 + ((float) q[2] - r0) * l;
    }
}

/* out[j * step] = top + (bottom - top) * yl - mean, for one channel of one output row. */
static void blend_column(const float *top, const float *bottom, float yl, float mean, int w, float *out, int step) {
    if (step == 1) {
        for (int j = 0; j < w; j++) {
            out[j] = top[j] + (bottom[j] - top[j]) * yl - mean;
        }
    } else {
        for (int j = 0; j < w; j++) {
            out[(size_t) j * step] = top[j] + (bottom[j] - top[j]) * yl - mean;
        }
    }
}

/*
 * xLo/xHi: byte offsets of each output column's two source pixels within a row; yLo/yHi: each output row's two
 * source rows; all relative to the decoded region, already checked by the caller. Returns NULL, or a message if
 * native memory ran out or an array could not be pinned.
 */
JNIEXPORT jstring JNICALL Java_org_resnetspark_data_imagenet_BilinearResampler_resampleNative(
        JNIEnv *env, jclass cls, jbyteArray src, jint rowBytes, jintArray xLoArray, jintArray xHiArray,
        jfloatArray xLerpArray, jintArray yLoArray, jintArray yHiArray, jfloatArray yLerpArray, jfloat meanR,
        jfloat meanG, jfloat meanB, jboolean nhwc, jfloatArray outArray, jint offset) {
    (void) cls;
    jint w = (*env)->GetArrayLength(env, xLoArray);
    jint h = (*env)->GetArrayLength(env, yLoArray);
    /* tables, then two cached rows of three planes each */
    size_t ints = (size_t) 2 * w + 2 * (size_t) h;
    size_t floats = (size_t) w + h + 6 * (size_t) w;
    char *memory = malloc(ints * sizeof(jint) + floats * sizeof(float));
    if (memory == NULL) {
        return (*env)->NewStringUTF(env, "out of native memory for resampling tables");
    }
    jint *xLo = (jint *) memory;
    jint *xHi = xLo + w;
    jint *yLo = xHi + w;
    jint *yHi = yLo + h;
    float *xLerp = (float *) (yHi + h);
    float *yLerp = xLerp + w;
    float *rows = yLerp + h;
    (*env)->GetIntArrayRegion(env, xLoArray, 0, w, xLo);
    (*env)->GetIntArrayRegion(env, xHiArray, 0, w, xHi);
    (*env)->GetFloatArrayRegion(env, xLerpArray, 0, w, xLerp);
    (*env)->GetIntArrayRegion(env, yLoArray, 0, h, yLo);
    (*env)->GetIntArrayRegion(env, yHiArray, 0, h, yHi);
    (*env)->GetFloatArrayRegion(env, yLerpArray, 0, h, yLerp);

    unsigned char *pixels = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
    float *out = pixels == NULL ? NULL : (*env)->GetPrimitiveArrayCritical(env, outArray, NULL);
    if (out == NULL) {
        if (pixels != NULL) {
            (*env)->ReleasePrimitiveArrayCritical(env, src, pixels, JNI_ABORT);
        }
        free(memory);
        return (*env)->NewStringUTF(env, "could not pin the image or output array");
    }
    out += offset;
    /* slot s holds source row rowOf[s] as planes rows[s*3w + c*w .. ] (c: 0 r, 1 g, 2 b) */
    int rowOf[2] = {-1, -1};
    size_t plane = (size_t) w * h;
    for (jint i = 0; i < h; i++) {
        int slot[2];
        int keep = -1;
        for (int k = 0; k < 2; k++) {
            int y = k == 0 ? yLo[i] : yHi[i];
            int s = rowOf[0] == y ? 0 : rowOf[1] == y ? 1 : -1;
            if (s < 0) {
                /* rows are requested in non-decreasing order: replace the stale slot, never the one just used */
                s = keep == 0 ? 1 : keep == 1 ? 0 : (rowOf[0] <= rowOf[1] ? 0 : 1);
                float *p = rows + (size_t) s * 3 * w;
                blend_row(pixels + (size_t) y * rowBytes, xLo, xHi, xLerp, w, p, p + w, p + 2 * w);
                rowOf[s] = y;
            }
            slot[k] = s;
            keep = s;
        }
        const float *top = rows + (size_t) slot[0] * 3 * w;
        const float *bottom = rows + (size_t) slot[1] * 3 * w;
        float yl = yLerp[i];
        if (nhwc) {
            float *o = out + (size_t) i * w * 3;
            blend_column(top, bottom, yl, meanR, w, o, 3);
            blend_column(top + w, bottom + w, yl, meanG, w, o + 1, 3);
            blend_column(top + 2 * w, bottom + 2 * w, yl, meanB, w, o + 2, 3);
        } else {
            float *o = out + (size_t) i * w;
            blend_column(top, bottom, yl, meanR, w, o, 1);
            blend_column(top + w, bottom + w, yl, meanG, w, o + plane, 1);
            blend_column(top + 2 * w, bottom + 2 * w, yl, meanB, w, o + 2 * plane, 1);
        }
    }
    (*env)->ReleasePrimitiveArrayCritical(env, outArray, out - offset, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, src, pixels, JNI_ABORT);
    free(memory);
    return NULL;
}
