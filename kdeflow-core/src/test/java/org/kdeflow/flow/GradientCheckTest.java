package org.kdeflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.nn.Parameters;
import org.kdeflow.formats.Tensor;

/** The hand-written back-propagation of the mean NLL against central differences, for every parameter. */
class GradientCheckTest {
    /** The bound on |analytic − numeric| / max(|analytic|, |numeric|, {@link #SCALE_FLOOR}). */
    static final double RELATIVE_TOLERANCE = 1e-6;
    /**
     * Gradients far below the loss's scale (O(1)) are compared on that scale: central differences carry a rounding
     * error of about ε·|L|/h ≈ 1e-10 whatever the gradient's size (and O(h²) truncation of the same order).
     */
    static final double SCALE_FLOOR = 1e-3;
    static final double STEP = 1e-5;

    static Stream<Arguments> flows() {
        return Stream.of(
                Arguments.of(Named.of("homework d=2 K=4", FlowFixtures.randomFlow(CouplingFlow.Architecture.homework(4),
                        21))),
                Arguments.of(Named.of("d=4 K=3 hidden [6,5]",
                        FlowFixtures.randomFlow(new CouplingFlow.Architecture(4, 3, new int[] {6, 5}), 22))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flows")
    void everyParameterGradientMatchesCentralDifferences(CouplingFlow flow) {
        int n = 6;
        double[] x = FlowFixtures.gaussian(n, flow.dim(), 23);
        Flow.Workspace ws = flow.workspace(n);
        Parameters p = flow.parameters();
        double loss = flow.lossAndGradient(x, n, ws);
        assertEquals(loss, flow.meanNegLogLikelihood(x, n, ws), 0.0, "loss of the gradient pass");
        Check c = check(flow.asFlow(), x, n, ws, p.gradients().clone(), 0, p.size());
        assertTrue(c.worst() <= RELATIVE_TOLERANCE, "worst relative error " + c.worst() + " at " + c.at());
        assertTrue(c.nonZero() > p.size() / 4, "most gradients should be non-trivial, got " + c.nonZero() + " of "
                + p.size());
    }

    /** The worst relative error of a gradient check, where it was, and how many gradients exceed the scale floor. */
    record Check(double worst, String at, int nonZero) {
    }

    /**
     * Every parameter's analytic gradient g[k] of the mean NLL against central differences with {@link #STEP},
     * |analytic − numeric| / max(|analytic|, |numeric|, {@link #SCALE_FLOOR}); counts the gradients above the floor
     * among parameters [from, to).
     */
    static Check check(Flow flow, double[] x, int n, Flow.Workspace ws, double[] g, int from, int to) {
        Parameters p = flow.parameters();
        double worst = 0;
        String worstAt = "";
        int nonZero = 0;
        for (int k = 0; k < p.size(); k++) {
            double v = p.get(k);
            p.set(k, v + STEP);
            double lp = flow.meanNegLogLikelihood(x, n, ws);
            p.set(k, v - STEP);
            double lm = flow.meanNegLogLikelihood(x, n, ws);
            p.set(k, v);
            double fd = (lp - lm) / (2 * STEP);
            double err = Math.abs(g[k] - fd) / Math.max(SCALE_FLOOR, Math.max(Math.abs(g[k]), Math.abs(fd)));
            if (err > worst) {
                worst = err;
                worstAt = "parameter " + k + ": analytic " + g[k] + ", numeric " + fd;
            }
            if (k >= from && k < to && Math.abs(g[k]) > SCALE_FLOOR) {
                nonZero++;
            }
        }
        return new Check(worst, worstAt, nonZero);
    }

    /**
     * One layer (mask [1,0]) with one-unit networks, worked by hand at x = (1, 2). s-net: Linear(2,1) W = [0.5, 0.3],
     * b = 0.1 → h = 0.6 → Linear(1,2) W = [0.2, 0.4]ᵀ, b = [0, 0.1] → s_raw = (0.12, 0.34). t-net: W = [1, 0],
     * b = 0 → h = 1 → W = [0, 0.5]ᵀ, b = 0 → t = (0, 0.5). σ = (0.7, 0.5), so s₁ = 0.17 and
     * z = (1, 1.5·e^{−0.17}), log p = −½‖z‖² − log 2π − 0.17. Since only z₁ depends on σ₁:
     * ∂(−log p)/∂σ₁ = s_raw₁·(1 − z₁²), and ∂/∂σ₀ = 0 (coordinate 0 passes through).
     */
    @Test
    void tinyLayerByHand() {
        CouplingFlow f = CouplingFlow.create(new CouplingFlow.Architecture(2, 1, new int[] {1}), 0);
        Map<String, double[]> v = Map.of(
                "layers.0.scale_factor", new double[] {0.7, 0.5},
                "layers.0.s_func.0.weight", new double[] {0.5, 0.3},
                "layers.0.s_func.0.bias", new double[] {0.1},
                "layers.0.s_func.2.weight", new double[] {0.2, 0.4},
                "layers.0.s_func.2.bias", new double[] {0, 0.1},
                "layers.0.t_func.0.weight", new double[] {1, 0},
                "layers.0.t_func.0.bias", new double[] {0},
                "layers.0.t_func.2.weight", new double[] {0, 0.5},
                "layers.0.t_func.2.bias", new double[] {0, 0});
        f.parameterLayout().forEach((name, slot) -> f.copyIn(name, Tensor.of(v.get(name), slot.shape())));
        double z1 = 1.5 * Math.exp(-0.17);
        double logP = -0.5 * (1 + z1 * z1) - Math.log(2 * Math.PI) - 0.17;
        assertEquals(logP, f.logDensity(1, 2), 1e-15);
        Flow.Workspace ws = f.workspace(1);
        double loss = f.lossAndGradient(new double[] {1, 2}, 1, ws);
        assertEquals(-logP, loss, 1e-15);
        int sf = f.parameterLayout().get("layers.0.scale_factor").offset();
        assertEquals(0.0, f.parameters().gradients()[sf], 0.0);
        assertEquals(0.34 * (1 - z1 * z1), f.parameters().gradients()[sf + 1], 1e-15);
        // t₁ = w·h_t with h_t = 1 and ∂z₁/∂t₁ = −e^{−s₁}: ∂(−log p)/∂(t_func.2.weight[1,0]) = −z₁·e^{−0.17}·1
        int tw = f.parameterLayout().get("layers.0.t_func.2.weight").offset();
        assertEquals(-z1 * Math.exp(-0.17), f.parameters().gradients()[tw + 1], 1e-15);
    }
}
