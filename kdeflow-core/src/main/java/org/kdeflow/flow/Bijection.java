package org.kdeflow.flow;

/**
 * An invertible map f: ℝᵈ → ℝᵈ applied to batches, each direction returning the log-determinant of its Jacobian
 * with the result (no second pass). Batches are row-major n×d arrays.
 */
public interface Bijection {

    /** The dimension d. */
    int dim();

    /**
     * y = f(x) for the n rows of x; fills {@code y} (n×d) and {@code logDet[r] = log|det ∂f/∂x (x_r)|}.
     * Modifies y and logDet only; y must not be x.
     */
    void forward(double[] x, int n, double[] y, double[] logDet);

    /**
     * x = f⁻¹(y) for the n rows of y; fills {@code x} (n×d) and {@code logDet[r] = log|det ∂f⁻¹/∂y (y_r)|}
     * (= −log|det ∂f/∂x| at x_r). Modifies x and logDet only; x must not be y.
     */
    void inverse(double[] y, int n, double[] x, double[] logDet);
}
