package org.kdeflow.flow;

import java.util.Map;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * One invertible map y = T(u) of ℝᵈ in a {@link Flow}, its parameters (if any) a range of the flow's
 * {@link Parameters} buffer. Both directions return log|det J| with the result (no second pass):
 * <ul>
 *   <li>{@link #forward}: the generative direction u ↦ y = T(u), with log|det ∂T/∂u|;</li>
 *   <li>{@link #inverse}: the density direction y ↦ u = T⁻¹(y), with log|det ∂T⁻¹/∂y| = −log|det ∂T/∂u|;</li>
 *   <li>{@link #inverseBackward}: the hand-written backward pass of the inverse (maximum-likelihood training runs
 *       in the density direction): parameter gradients and ∂L/∂y from ∂L/∂u and the weight of each row's
 *       log-determinant.</li>
 * </ul>
 * Batches are row-major n×d arrays. Per-batch state lives in a {@link Work} made once per batch size and
 * {@link Precision} ({@link #work}); the passes allocate nothing. A transform with networks runs their products in
 * the work's precision; everything else is double.
 *
 * <p>Each kind of transform is one small class with its formula in the Javadoc; its {@link Spec} is the
 * parameter-free description from which it is built (and which model files store).
 */
public interface Transform {

    /** The description of a transform without its parameter values: enough to build it again. */
    interface Spec {
        /** The dimension d. */
        int dim();

        /** Number of trainable parameters (0 for fixed maps). */
        int parameterCount();

        /** The transform viewing {@code p} from {@code offset} (its parameters not yet initialised). */
        Transform create(Parameters p, int offset);
    }

    /** Per-batch state of one transform (activations, intermediate values, gradient scratch). */
    interface Work {
    }

    /** The spec this transform was built from. */
    Spec spec();

    /** The dimension d. */
    default int dim() {
        return spec().dim();
    }

    /** Number of trainable parameters. */
    default int parameterCount() {
        return spec().parameterCount();
    }

    /** First parameter offset in the buffer. */
    int offset();

    /** Draws the initial parameters from {@code rng} (the transform's documented initialisation). */
    void initialize(NumpyRandomState rng);

    /**
     * Data-dependent initialisation, called once before training with points of the transform's output space
     * (the inputs of {@link #inverse}); for example ActNorm sets its shift and scale so that its inverse
     * standardises them. The default does nothing. Modifies the parameters only.
     */
    default void initializeFromData(double[] y, int n) {
    }

    /** Work buffers for batches of up to {@code capacity} rows whose products run in {@code precision}. */
    Work work(int capacity, Precision precision);

    /**
     * y = T(u) for n rows; fills {@code y} (n×d, not u) and {@code logDet[r] = log|det ∂T/∂u (u_r)|}. Modifies y,
     * logDet and w only.
     */
    void forward(double[] u, int n, double[] y, double[] logDet, Work w);

    /**
     * u = T⁻¹(y) for n rows; fills {@code u} (n×d, not y) and {@code logDet[r] = log|det ∂T⁻¹/∂y (y_r)|}; keeps in
     * {@code w} what {@link #inverseBackward} needs. Modifies u, logDet and w only.
     */
    void inverse(double[] y, int n, double[] u, double[] logDet, Work w);

    /**
     * Back-propagation through the last {@link #inverse} run with {@code w}, which mapped y to u. Given
     * gu = ∂L/∂u (n×d) and ldw[r] = ∂L/∂(logDet_r), adds ∂L/∂θ to the parameter gradients and, when gy is not
     * null, fills gy = ∂L/∂y (n×d). Modifies the gradient buffer, gy and w only.
     */
    void inverseBackward(double[] y, double[] u, int n, double[] gu, double[] ldw, double[] gy, Work w);

    /**
     * The transform's parameter tensors by name relative to the transform (for example {@code net.0.weight}), in a
     * fixed order, with absolute offsets into the buffer. Empty for fixed maps.
     */
    Map<String, Slot> parameterLayout();
}
