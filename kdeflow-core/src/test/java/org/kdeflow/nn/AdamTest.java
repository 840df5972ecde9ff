package org.kdeflow.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AdamTest {

    /**
     * Two steps worked by hand (compared to 1e-15: a few ulps of rounding in the moment updates) from PyTorch's update rule (torch.optim.Adam, lr 0.1, β 0.9/0.999, ε 1e-8) on one
     * parameter p₀ = 1 with gradients 0.5 then −1. Step 1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, p = 1 −
     * 0.1·0.5/(0.5 + 1e-8). Step 2: m = 0.045 − 0.1 = −0.055, v = 0.00024975 + 0.001 = 0.00124975,
     * m̂ = m/0.19, v̂ = v/0.001999.
     */
    @Test
    void twoStepsByHand() {
        Parameters p = new Parameters(2);
        p.copyFrom(new double[] {1.0, -3.0});
        Adam adam = new Adam(2, 0.1);
        p.gradients()[0] = 0.5;
        p.gradients()[1] = 0.0;
        adam.step(p);
        double p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8);
        assertEquals(p1, p.get(0), 1e-15);
        assertEquals(-3.0, p.get(1), 0.0, "zero gradient, zero moments: no move");
        p.gradients()[0] = -1.0;
        adam.step(p);
        double mHat = -0.055 / (1 - 0.9 * 0.9);
        double vHat = 0.00124975 / (1 - 0.999 * 0.999);
        double p2 = p1 - 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
        assertEquals(p2, p.get(0), 1e-15);
        assertEquals(2, adam.steps());
        assertArrayEquals(new double[] {-0.055, 0}, adam.state().m(), 1e-15);
        assertArrayEquals(new double[] {0.00124975, 0}, adam.state().v(), 1e-17);
    }

    @Test
    void stateRestoresExactly() {
        Parameters a = new Parameters(3);
        Parameters b = new Parameters(3);
        Adam adamA = new Adam(3, 1e-2);
        for (int s = 0; s < 3; s++) {
            for (int k = 0; k < 3; k++) {
                a.gradients()[k] = Math.sin(s + k);
            }
            adamA.step(a);
        }
        b.copyFrom(a.values());
        Adam adamB = new Adam(3, 1e-2);
        adamB.restore(adamA.state());
        for (int k = 0; k < 3; k++) {
            a.gradients()[k] = Math.cos(k);
            b.gradients()[k] = Math.cos(k);
        }
        adamA.step(a);
        adamB.step(b);
        assertArrayEquals(a.values(), b.values(), 0.0);
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Adam(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Adam(1, 1e-3, 1.0, 0.999, 1e-8));
    }
}
