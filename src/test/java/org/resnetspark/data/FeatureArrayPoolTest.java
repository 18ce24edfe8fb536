package org.resnetspark.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureArrayPoolTest {

    @Test
    void takeServesARecycledArrayOfTheSameLengthOnce() {
        FeatureArrayPool pool = new FeatureArrayPool(1 << 20);
        float[] a = pool.take(100);
        assertEquals(100, a.length);
        assertTrue(pool.recycle(a));
        assertEquals(400, pool.pooledBytes());
        assertNotSame(a, pool.take(99), "another length: a new array");
        assertSame(a, pool.take(100));
        assertNotSame(a, pool.take(100), "handed out once only");
        assertEquals(1, pool.reusedCount());
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void keepsNoMoreThanItsCapacity() {
        FeatureArrayPool pool = new FeatureArrayPool(1000);
        assertTrue(pool.recycle(new float[200]));
        assertFalse(pool.recycle(new float[51]), "800 + 204 bytes > 1000");
        assertTrue(pool.recycle(new float[50]));
        assertEquals(1000, pool.pooledBytes());
        FeatureArrayPool none = new FeatureArrayPool(0);
        float[] a = none.take(10);
        assertFalse(none.recycle(a));
        assertNotSame(a, none.take(10));
        assertEquals(0, none.reusedCount());
    }

    @Test
    void refusesAnArrayRecycledTwice() {
        FeatureArrayPool pool = new FeatureArrayPool(1 << 20);
        float[] a = new float[10];
        pool.recycle(a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.recycle(a));
        assertEquals("array recycled twice", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FeatureArrayPool(-1));
    }
}
