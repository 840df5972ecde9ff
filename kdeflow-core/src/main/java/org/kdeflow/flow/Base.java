package org.kdeflow.flow;

import java.util.Map;
import org.kdeflow.nn.Parameters;
import org.kdeflow.random.NumpyRandomState;

/**
 * The base distribution p_Z of a {@link Flow}, possibly with learnable parameters (a range of the flow's
 * {@link Parameters} buffer), with the hand-written gradient of its log-density.
 */
public interface Base {

    /** The description of a base without its parameter values. */
    interface Spec {
        int dim();

        int parameterCount();

        Base create(Parameters p, int offset);
    }

    Spec spec();

    default int dim() {
        return spec().dim();
    }

    default int parameterCount() {
        return spec().parameterCount();
    }

    int offset();

    /** Initial parameters (default none). */
    default void initialize(NumpyRandomState rng) {
    }

    /**
     * Data-dependent initialisation with points of the base space (the flow's data mapped to noise), called once
     * before training. The default does nothing.
     */
    default void initializeFromData(double[] z, int n) {
    }

    /** out[r] = log p_Z(z_r) for n rows of z. Modifies out only. */
    void logDensity(double[] z, int n, double[] out);

    /** Fills z (n×d) with n draws, every random choice from {@code rng}. */
    void sample(int n, NumpyRandomState rng, double[] z);

    /**
     * Given w[r] = ∂L/∂log p_Z(z_r), adds ∂L/∂θ to the parameter gradients and fills gz = ∂L/∂z (n×d) with
     * w_r·∇_z log p_Z(z_r). Modifies the gradient buffer and gz only.
     */
    void backward(double[] z, int n, double[] w, double[] gz);

    /** Parameter tensors by relative name with absolute offsets (empty without parameters). */
    Map<String, Slot> parameterLayout();
}
