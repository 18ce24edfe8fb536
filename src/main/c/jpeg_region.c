/*
 * JNI entry points of org.resnetspark.data.image.NativeJpeg: libjpeg-turbo decodes only the rows and
 * iMCU columns a crop needs (jpeg_crop_scanline, jpeg_skip_scanlines, and nothing below the crop), at a
 * DCT-domain scale of 1/d, straight to B,G,R bytes.
 *
 * Colour handling matches what OpenCV's imdecode does with the same libjpeg, so both decoders give the same
 * pixels (with the accurate IDCT): YCbCr, RGB and grey to BGR by libjpeg itself (fancy upsampling); CMYK and YCCK read as CMYK and converted with OpenCV's icvCvt_CMYK2BGR_8u_C4C3R formula.
 *
 * Errors never abort the JVM: libjpeg's error_exit longjmps back here and the message is returned to Java.
 * Warnings (e.g. "Corrupt JPEG data: N extraneous bytes before marker") are ignored, as OpenCV does.
 */
#include <jni.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

struct region_error {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void region_error_exit(j_common_ptr cinfo) {
    struct region_error *err = (struct region_error *) cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

static void region_ignore_message(j_common_ptr cinfo, int level) {
    (void) cinfo;
    (void) level;
}

/* OpenCV's icvCvt_CMYK2BGR_8u_C4C3R, so that a CMYK JPEG decodes to the same pixels on either path. */
static void cmyk_to_bgr(const unsigned char *cmyk, unsigned char *bgr, int width) {
    for (int i = 0; i < width; i++, cmyk += 4, bgr += 3) {
        int c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
        c = k - ((255 - c) * k >> 8);
        m = k - ((255 - m) * k >> 8);
        y = k - ((255 - y) * k >> 8);
        bgr[2] = (unsigned char) c;
        bgr[1] = (unsigned char) m;
        bgr[0] = (unsigned char) y;
    }
}

/*
 * Decodes columns [x, x + w) and rows [y, y + h) of the image scaled by 1/d into out (w * h * 3 bytes, B,G,R,
 * rows packed), with libjpeg's fast integer IDCT (TensorFlow's decode_jpeg default) or its accurate one (libjpeg's
 * and OpenCV's default). Returns NULL on success, else a message saying what libjpeg or the request got wrong.
 */
JNIEXPORT jstring JNICALL Java_org_resnetspark_data_image_NativeJpeg_decodeRegion(
        JNIEnv *env, jclass cls, jbyteArray data, jint length, jint d, jboolean fastDct, jint x, jint y, jint w,
        jint h, jbyteArray out) {
    (void) cls;
    struct jpeg_decompress_struct cinfo;
    struct region_error err;
    /* volatile: they are read after a longjmp */
    unsigned char *volatile input = NULL;
    unsigned char *volatile row = NULL;
    unsigned char *volatile converted = NULL;
    char message[JMSG_LENGTH_MAX + 64];

    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = region_error_exit;
    err.pub.emit_message = region_ignore_message;
    err.message[0] = '\0';
    if (setjmp(err.jump)) {
        snprintf(message, sizeof(message), "libjpeg: %s", err.message);
        goto fail;
    }
    jpeg_create_decompress(&cinfo);

    input = malloc((size_t) length);
    if (input == NULL) {
        snprintf(message, sizeof(message), "out of native memory for %d encoded bytes", (int) length);
        goto fail;
    }
    (*env)->GetByteArrayRegion(env, data, 0, length, (jbyte *) input);
    jpeg_mem_src(&cinfo, input, (unsigned long) length);
    jpeg_read_header(&cinfo, TRUE);

    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_BGR;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int) d;
    cinfo.dct_method = fastDct ? JDCT_IFAST : JDCT_ISLOW;
    jpeg_start_decompress(&cinfo);

    if (x < 0 || y < 0 || w <= 0 || h <= 0 || (JDIMENSION) (x + w) > cinfo.output_width
            || (JDIMENSION) (y + h) > cinfo.output_height) {
        snprintf(message, sizeof(message), "region %d,%d %dx%d outside the %ux%u image decoded at 1/%d",
                 (int) x, (int) y, (int) w, (int) h, cinfo.output_width, cinfo.output_height, (int) d);
        goto fail;
    }
    /*
     * One more column on each side: libjpeg-turbo upsamples chroma as if the cropped window were the whole image,
     * so a window edge on an iMCU boundary changes the edge column of fancy-upsampled pixels.
     */
    JDIMENSION xoffset = x > 0 ? (JDIMENSION) x - 1 : 0;
    JDIMENSION right = (JDIMENSION) (x + w) < cinfo.output_width ? (JDIMENSION) (x + w) + 1 : cinfo.output_width;
    JDIMENSION width = right - xoffset;
    if (xoffset != 0 || width != cinfo.output_width) {
        /* widens the window to whole iMCU columns: xoffset moves left, width grows */
        jpeg_crop_scanline(&cinfo, &xoffset, &width);
    }
    if (y > 0 && jpeg_skip_scanlines(&cinfo, (JDIMENSION) y) != (JDIMENSION) y) {
        snprintf(message, sizeof(message), "could not skip to row %d", (int) y);
        goto fail;
    }
    int components = cinfo.output_components;
    row = malloc((size_t) width * components);
    converted = malloc((size_t) w * 3);
    if (row == NULL || converted == NULL) {
        snprintf(message, sizeof(message), "out of native memory for a row of %u pixels", width);
        goto fail;
    }
    size_t skip = (size_t) (x - (jint) xoffset) * components;
    for (jint r = 0; r < h; r++) {
        JSAMPROW rows[1] = {row};
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) {
            snprintf(message, sizeof(message), "libjpeg returned no data for row %d", (int) (y + r));
            goto fail;
        }
        if (cmyk) {
            cmyk_to_bgr(row + skip, converted, w);
            (*env)->SetByteArrayRegion(env, out, (jsize) r * w * 3, w * 3, (const jbyte *) converted);
        } else {
            (*env)->SetByteArrayRegion(env, out, (jsize) r * w * 3, w * 3, (const jbyte *) (row + skip));
        }
    }
    /* the rows below the region are never decoded */
    jpeg_abort_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(input);
    free(row);
    free(converted);
    return NULL;

fail:
    jpeg_destroy_decompress(&cinfo);
    free(input);
    free(row);
    free(converted);
    return (*env)->NewStringUTF(env, message);
}

#define RESNET_STR2(v) #v
#define RESNET_STR(v) RESNET_STR2(v)

/* libjpeg-turbo's version, for the log line and the benchmark report. */
JNIEXPORT jstring JNICALL Java_org_resnetspark_data_image_NativeJpeg_libraryVersion(JNIEnv *env, jclass cls) {
    (void) cls;
#ifdef LIBJPEG_TURBO_VERSION
    return (*env)->NewStringUTF(env, "libjpeg-turbo " RESNET_STR(LIBJPEG_TURBO_VERSION));
#else
    return (*env)->NewStringUTF(env, "libjpeg " RESNET_STR(JPEG_LIB_VERSION));
#endif
}
