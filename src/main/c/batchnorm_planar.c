/*
 * JNI entry points of org.resnetspark.backend.NativeBatchNorm: batch norm over NCHW float32 activations, one
 * channel at a time, each channel's N planes of H*W contiguous values.
 *
 * Why: the same computations as ND4J ops are one op per elementary step, each a full pass over the activation
 * (copy, subtract, reduce, multiply, add: ~26 passes per layer for statistics, normalization and gradient). Here the
 * statistics are one pass, the normalization one, the gradient two. Sums are accumulated in double, so no
 * digits are lost to a mean that is large against the spread (the deviations are formed before squaring).
 *
 * Channels are spread over OpenMP threads (OMP_NUM_THREADS, as libnd4j's own ops; the library binds to the
 * libgomp that ND4J has already loaded, so both share one thread pool).
 */
#include <jni.h>
#include <math.h>
#include <stdint.h>

#define PLANE(base, i, ch) ((base) + ((int64_t) (i) * channels + (ch)) * hw)

/* sum of a plane, and sum of squares of its deviations from k */
__attribute__((target_clones("arch=haswell", "default")))
static void plane_moments(const float *p, int hw, double k, double *sum, double *squares) {
    double s = 0, q = 0;
    for (int j = 0; j < hw; j++) {
        double d = (double) p[j] - k;
        s += d;
        q += d * d;
    }
    *sum += s;
    *squares += q;
}

/* mean[ch] and population variance var[ch] over the N planes of each channel */
JNIEXPORT void JNICALL Java_org_resnetspark_backend_NativeBatchNorm_statistics(
        JNIEnv *env, jclass cls, jlong x_address, jint n, jint channels, jint hw, jlong mean_address,
        jlong var_address) {
    (void) env;
    (void) cls;
    const float *x = (const float *) (intptr_t) x_address;
    float *mean = (float *) (intptr_t) mean_address;
    float *var = (float *) (intptr_t) var_address;
    double m = (double) n * hw;
    #pragma omp parallel for schedule(static)
    for (int ch = 0; ch < channels; ch++) {
        /* shifted by the channel's first value: the squares are of deviations near the mean, not of raw values */
        double k = PLANE(x, 0, ch)[0];
        double sum = 0, squares = 0;
        for (int i = 0; i < n; i++) {
            plane_moments(PLANE(x, i, ch), hw, k, &sum, &squares);
        }
        double shift = sum / m;
        double v = squares / m - shift * shift;
        mean[ch] = (float) (k + shift);
        var[ch] = (float) (v > 0 ? v : 0);
    }
}

__attribute__((target_clones("arch=haswell", "default")))
static void plane_affine(const float *p, float *out, int hw, float mean, float scale, float beta) {
    for (int j = 0; j < hw; j++) {
        out[j] = (p[j] - mean) * scale + beta;
    }
}

/* y = (x - mean) * gamma / sqrt(var + eps) + beta */
JNIEXPORT void JNICALL Java_org_resnetspark_backend_NativeBatchNorm_normalize(
        JNIEnv *env, jclass cls, jlong x_address, jlong y_address, jint n, jint channels, jint hw,
        jlong mean_address, jlong var_address, jlong gamma_address, jlong beta_address, jdouble eps) {
    (void) env;
    (void) cls;
    const float *x = (const float *) (intptr_t) x_address;
    float *y = (float *) (intptr_t) y_address;
    const float *mean = (const float *) (intptr_t) mean_address;
    const float *var = (const float *) (intptr_t) var_address;
    const float *gamma = (const float *) (intptr_t) gamma_address;
    const float *beta = (const float *) (intptr_t) beta_address;
    #pragma omp parallel for schedule(static)
    for (int ch = 0; ch < channels; ch++) {
        float scale = (float) (gamma[ch] / sqrt((double) var[ch] + eps));
        for (int i = 0; i < n; i++) {
            plane_affine(PLANE(x, i, ch), PLANE(y, i, ch), hw, mean[ch], scale, beta[ch]);
        }
    }
}

/* sum of e, and sum of e * (x - mean) */
__attribute__((target_clones("arch=haswell", "default")))
static void plane_gradient_sums(const float *e, const float *x, int hw, float mean, double *sum_e,
                                double *sum_ed) {
    double s = 0, sd = 0;
    for (int j = 0; j < hw; j++) {
        double ej = e[j];
        s += ej;
        sd += ej * (double) (x[j] - mean);
    }
    *sum_e += s;
    *sum_ed += sd;
}

__attribute__((target_clones("arch=haswell", "default")))
static void plane_input_gradient(const float *e, const float *x, float *dx, int hw, float mean, float a, float b,
                                 float c) {
    for (int j = 0; j < hw; j++) {
        dx[j] = a * e[j] + b * (x[j] - mean) + c;
    }
}

/*
 * With m = N*H*W, s = 1/sqrt(var + eps), d = x - mean: dbeta = sum(e), dgamma = s * sum(e * d) and
 * dx = gamma * s * (e - dbeta/m - d * s * dgamma/m) = a*e + b*d + c per channel.
 */
JNIEXPORT void JNICALL Java_org_resnetspark_backend_NativeBatchNorm_backward(
        JNIEnv *env, jclass cls, jlong x_address, jlong e_address, jlong dx_address, jint n, jint channels,
        jint hw, jlong mean_address, jlong var_address, jlong gamma_address, jdouble eps, jlong dgamma_address,
        jlong dbeta_address) {
    (void) env;
    (void) cls;
    const float *x = (const float *) (intptr_t) x_address;
    const float *e = (const float *) (intptr_t) e_address;
    float *dx = (float *) (intptr_t) dx_address;
    const float *mean = (const float *) (intptr_t) mean_address;
    const float *var = (const float *) (intptr_t) var_address;
    const float *gamma = (const float *) (intptr_t) gamma_address;
    float *dgamma = (float *) (intptr_t) dgamma_address;
    float *dbeta = (float *) (intptr_t) dbeta_address;
    double m = (double) n * hw;
    #pragma omp parallel for schedule(static)
    for (int ch = 0; ch < channels; ch++) {
        double sum_e = 0, sum_ed = 0;
        for (int i = 0; i < n; i++) {
            plane_gradient_sums(PLANE(e, i, ch), PLANE(x, i, ch), hw, mean[ch], &sum_e, &sum_ed);
        }
        double s = 1 / sqrt((double) var[ch] + eps);
        double dg = s * sum_ed;
        double a = gamma[ch] * s;
        double b = -a * s * dg / m;
        double c = -a * sum_e / m;
        dgamma[ch] = (float) dg;
        dbeta[ch] = (float) sum_e;
        for (int i = 0; i < n; i++) {
            plane_input_gradient(PLANE(e, i, ch), PLANE(x, i, ch), PLANE(dx, i, ch), hw, mean[ch], (float) a,
                                 (float) b, (float) c);
        }
    }
}

JNIEXPORT jint JNICALL Java_org_resnetspark_backend_NativeBatchNorm_abiVersion(JNIEnv *env, jclass cls) {
    (void) env;
    (void) cls;
    return 1;
}
