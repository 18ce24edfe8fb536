package org.resnetspark.data.tfrecord;

import java.util.zip.CRC32C;

/**
 * The checksum TFRecord framing uses: CRC32C (Castagnoli), then "masked" by rotating right 15 bits and adding a
 * constant, as in TensorFlow's {@code crc32c::Mask}. Masking exists because a CRC of data that itself contains CRCs
 * is weak; the value written to disk is always the masked one.
 */
final class MaskedCrc32c {

    private static final int MASK_DELTA = 0xa282ead8;

    private MaskedCrc32c() {
    }

    /** Masked CRC32C of {@code len} bytes of {@code bytes} from {@code offset}. */
    static int of(byte[] bytes, int offset, int len) {
        // java.util.zip.CRC32C is a JIT intrinsic (SSE4.2/AVX-512): several GB/s, far above Hadoop's pure-Java one
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, len);
        return mask((int) crc.getValue());
    }

    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }
}
