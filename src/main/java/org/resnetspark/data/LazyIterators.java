package org.resnetspark.data;

import java.util.Iterator;
import java.util.function.Function;

/** Lazy iterator views for per-partition pipelines: one element in memory at a time, never a whole partition. */
public final class LazyIterators {

    private LazyIterators() {
    }

    /** {@code f} applied to each element as it is requested. */
    public static <A, B> Iterator<B> map(Iterator<A> it, Function<? super A, ? extends B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public B next() {
                return f.apply(it.next());
            }
        };
    }
}
