package org.kdeflow.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link AdamKernel} on {@code jdk.incubator.vector}, lane by lane the same operations as the scalar update. */
final class VectorAdamKernel implements AdamKernel {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public boolean update(double[] x, double[] g, double[] m, double[] v, int len, double beta1, double beta2,
            double a1, double a2, double stepSize, double c2, double eps) {
        DoubleVector check = DoubleVector.zero(S);
        int k = 0;
        for (; k + L <= len; k += L) {
            DoubleVector gk = DoubleVector.fromArray(S, g, k);
            DoubleVector mk = DoubleVector.fromArray(S, m, k).mul(beta1).add(gk.mul(a1));
            DoubleVector vk = DoubleVector.fromArray(S, v, k).mul(beta2).add(gk.mul(a2).mul(gk));
            mk.intoArray(m, k);
            vk.intoArray(v, k);
            DoubleVector denom = vk.sqrt().div(c2).add(eps);
            DoubleVector xk = DoubleVector.fromArray(S, x, k).sub(mk.div(denom).mul(stepSize));
            xk.intoArray(x, k);
            check = check.add(xk.mul(0.0));
        }
        double tail = AdamKernel.tail(x, g, m, v, k, len, beta1, beta2, a1, a2, stepSize, c2, eps);
        return check.reduceLanes(VectorOperators.ADD) + tail == 0.0;
    }
}
