package org.kdeflow.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.train.Trainer;

/** Training on a sample on the driver: the sample is reproducible, and the model is the one trained in-process. */
class DriverTrainingTest {

    @Test
    void trainsOnAReproducibleUniformSampleThenScoresEverywhere() {
        int n = 3000;
        double[] x = SparkTests.points(n, 2, 90);
        Dataset<Row> t = SparkTests.table(x, 2, null, 4);
        List<String> cols = List.of("x", "y");
        Trainer.Options options = Trainer.Options.defaults().withEpochs(3).withSeed(7);
        DriverTraining.Estimator estimator = DriverTraining.couplingFlow(2, options);
        Density a = DriverTraining.fitOnSample(t, cols, 400, 11, estimator);
        Density b = DriverTraining.fitOnSample(t, cols, 400, 11, estimator);
        // the same rows, the same seed: bit-identical weights
        assertArrayEquals(((CouplingFlow) a).parameters().values(), ((CouplingFlow) b).parameters().values());
        // and the flow trained in-process on the drawn rows
        org.kdeflow.data.Dataset drawn = Samples.uniform(t, cols, null, 400, 11).data();
        assertEquals(400, drawn.size());
        CouplingFlow direct = CouplingFlow.create(new CouplingFlow.Architecture(2, 2, new int[] {32, 32}), 7);
        new Trainer(options).fit(direct, drawn);
        assertArrayEquals(direct.parameters().values(), ((CouplingFlow) a).parameters().values());
        // a different seed draws different rows
        assertTrue(!java.util.Arrays.equals(drawn.toArray(), Samples.uniform(t, cols, null, 400, 12).data()
                .toArray()));
        // scored everywhere through its model-file bytes
        List<Row> scored = Scoring.withLogProb(t, ModelSource.of(a), cols).collectAsList();
        assertEquals(n, scored.size());
        Row r = scored.get(0);
        assertEquals(a.logDensity(r.getDouble(1), r.getDouble(2)), r.getDouble(3), 1e-12);
    }
}
