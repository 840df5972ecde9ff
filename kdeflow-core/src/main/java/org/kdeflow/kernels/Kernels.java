package org.kdeflow.kernels;

/**
 * The one place that decides which implementation of the library's hot loops runs: the {@code jdk.incubator.vector}
 * kernels when that module is readable, the plain-Java ones otherwise (Apache Lucene's
 * {@code VectorizationProvider} pattern). The vector classes are loaded only after the module check, so a JVM
 * without the module never touches them. Decided once, at first use.
 *
 * <p>One switch: {@code -Dkdeflow.vector=false} forces the plain-Java kernels everywhere (for tests comparing the
 * two and for benchmarks). Every kernel interface offers its {@code scalar()} implementation directly as well.
 */
public final class Kernels {
    /** The system property that turns the vector kernels off when set to {@code false}. */
    public static final String SWITCH = "kdeflow.vector";

    // SCALAR first: choose() returns it when the vector kernels are off or unavailable.
    private static final Kernels SCALAR = new Kernels(ScalarDenseKernel.INSTANCE, ScalarFloatDenseKernel.INSTANCE,
            AdamKernel.SCALAR, ScalarKdeOps.INSTANCE);

    private static final Kernels INSTANCE = choose();

    private final DenseKernel dense;
    private final FloatDenseKernel denseF32;
    private final AdamKernel adam;
    private final KdeOps kde;

    private Kernels(DenseKernel dense, FloatDenseKernel denseF32, AdamKernel adam, KdeOps kde) {
        this.dense = dense;
        this.denseF32 = denseF32;
        this.adam = adam;
        this.kde = kde;
    }

    /** The kernels chosen at start-up. */
    public static Kernels get() {
        return INSTANCE;
    }

    /** The plain-Java kernels (always available; tests compare them with {@link #get()}). */
    public static Kernels scalar() {
        return SCALAR;
    }

    /** Whether the vector kernels are in use. */
    public boolean vectorized() {
        return dense != ScalarDenseKernel.INSTANCE;
    }

    /** The double-precision dense-layer products. */
    public DenseKernel dense() {
        return dense;
    }

    /** The single-precision dense-layer products. */
    public FloatDenseKernel denseF32() {
        return denseF32;
    }

    /** Adam's element-wise update. */
    public AdamKernel adam() {
        return adam;
    }

    /** The kernel-density sums. */
    public KdeOps kde() {
        return kde;
    }

    /** "vector(8 lanes)" or "scalar". */
    public String name() {
        return dense.name();
    }

    private static Kernels choose() {
        if (!Boolean.parseBoolean(System.getProperty(SWITCH, "true"))
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return SCALAR;
        }
        try {
            DenseKernel d = (DenseKernel) Class.forName("org.kdeflow.kernels.VectorDenseKernel")
                    .getDeclaredConstructor().newInstance();
            FloatDenseKernel f = (FloatDenseKernel) Class.forName("org.kdeflow.kernels.VectorFloatDenseKernel")
                    .getDeclaredConstructor().newInstance();
            AdamKernel a = (AdamKernel) Class.forName("org.kdeflow.kernels.VectorAdamKernel")
                    .getDeclaredConstructor().newInstance();
            KdeOps k = (KdeOps) Class.forName("org.kdeflow.kernels.VectorKdeOps").getField("INSTANCE").get(null);
            return new Kernels(d, f, a, k);
        } catch (ReflectiveOperationException | LinkageError e) {
            return SCALAR;
        }
    }
}
