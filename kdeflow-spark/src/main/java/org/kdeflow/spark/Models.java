package org.kdeflow.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.kdeflow.density.Density;
import org.kdeflow.kde.KernelDensity;

/**
 * The models of one JVM (an executor or the driver), built once per {@link ModelSource#key()} and shared by the
 * tasks running in it. The few most recently used stay ({@value #CAPACITY}); building happens under one lock, so
 * concurrent tasks wait for a single parse instead of each doing their own.
 *
 * <p>Every kdeflow model is immutable once built and evaluates on the calling thread, so tasks share it. A
 * {@link KernelDensity} is switched to one thread ({@link KernelDensity#withThreads}): Spark already runs one task
 * per core, and a task must not spread onto the others.
 */
final class Models {
    static final int CAPACITY = 8;

    private static final Map<String, Density> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Density> eldest) {
            return size() > CAPACITY;
        }
    };

    private static long loads;

    private Models() {
    }

    /** The model of {@code source}, built on first use in this JVM. */
    static synchronized Density get(ModelSource source) {
        Density model = CACHE.get(source.key());
        if (model == null) {
            model = singleThreaded(source.load());
            loads++;
            CACHE.put(source.key(), model);
        }
        return model;
    }

    /** How many models this JVM has built so far (for tests of the once-per-JVM promise). */
    static synchronized long loads() {
        return loads;
    }

    static Density singleThreaded(Density model) {
        return model instanceof KernelDensity kde ? kde.withThreads(1) : model;
    }
}
