package org.kdeflow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {

    static Dataset range(int n, int d) {
        double[] x = new double[n * d];
        for (int k = 0; k < x.length; k++) {
            x[k] = k;
        }
        return Dataset.of(x, n, d);
    }

    @Test
    void copiesTheCallersArrayAndHandsOutCopies() {
        double[] x = {1, 2, 3, 4};
        Dataset ds = Dataset.of(x, 2, 2);
        x[0] = 99;
        assertEquals(1, ds.get(0, 0));
        ds.toArray()[1] = 99;
        ds.row(0)[1] = 99;
        assertEquals(2, ds.get(0, 1));
    }

    @Test
    void rejectsNonFiniteValuesNamingRowAndColumn() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.of(new double[] {0, 1, 2, Double.NaN}, 2, 2));
        assertTrue(e.getMessage().contains("row 1, column 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(new double[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Dataset.ofRows(new double[][] {{1, 2}, {3}}));
    }

    @Test
    void ninetyTenSplitHasTheNotebooksSizesAndPartitionsThePoints() {
        Dataset ds = range(1500, 2);
        Dataset.Split s = ds.randomSplit(0.9, 0);
        assertEquals(1350, s.first().size());
        assertEquals(150, s.second().size());
        Set<Double> seen = new HashSet<>();
        for (Dataset part : new Dataset[] {s.first(), s.second()}) {
            for (int i = 0; i < part.size(); i++) {
                seen.add(part.get(i, 0));
            }
        }
        assertEquals(1500, seen.size(), "every point lands in exactly one part");
        assertArrayEquals(s.first().toArray(), ds.randomSplit(0.9, 0).first().toArray(), "same seed, same split");
        assertNotEquals(Arrays.toString(s.first().toArray()),
                Arrays.toString(ds.randomSplit(0.9, 1).first().toArray()));
    }

    @Test
    void boundsAreColumnMinimaAndMaxima() {
        Dataset ds = Dataset.ofRows(new double[][] {{1, -2}, {-3, 4}, {0, 0}});
        assertArrayEquals(new double[] {-3, 1, -2, 4}, ds.bounds());
    }

    @Test
    void fixedBatchesCoverEveryPointInOrderWithAShortLastBatch() {
        MiniBatches b = MiniBatches.fixed(130, 64);
        b.startEpoch();
        assertEquals(3, b.batchCount());
        assertEquals(128, b.from(2));
        assertEquals(130, b.to(2));
        assertEquals(129, b.order()[129]);
    }

    @Test
    void reshuffledBatchesArePermutationsThatChangeEachEpochAndRepeatWithTheSeed() {
        MiniBatches a = MiniBatches.reshuffled(100, 10, 5);
        MiniBatches b = MiniBatches.reshuffled(100, 10, 5);
        a.startEpoch();
        b.startEpoch();
        int[] first = a.order().clone();
        assertArrayEquals(first, b.order());
        int[] sorted = first.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) {
            assertEquals(i, sorted[i]);
        }
        a.startEpoch();
        assertNotEquals(Arrays.toString(first), Arrays.toString(a.order()));
    }

    @Test
    void gridPointsRunXFastestAndIntegrateConstantsExactly() {
        Grid g = new Grid(0, 2, -1, 1, 3, 5);
        double[] p = g.points();
        assertArrayEquals(new double[] {0, -1, 1, -1, 2, -1}, Arrays.copyOfRange(p, 0, 6));
        double[] ones = new double[g.size()];
        Arrays.fill(ones, 1.0);
        assertEquals(4.0, g.integrate(ones), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new Grid(1, 0, 0, 1, 3, 3));
    }

    @Test
    void linspaceMatchesNumpy() {
        // numpy: linspace(0, 1, 5) = [0, .25, .5, .75, 1]; linspace(0, 1, 4, endpoint=False) = [0, .25, .5, .75]
        assertArrayEquals(new double[] {0, .25, .5, .75, 1}, Grid.linspace(0, 1, 5), 0.0);
        assertArrayEquals(new double[] {0, .25, .5, .75}, Grid.linspace(0, 1, 4, false), 0.0);
        assertArrayEquals(new double[] {3}, Grid.linspace(3, 7, 1), 0.0);
    }
}
