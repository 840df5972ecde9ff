package org.kdeflow.models;

import java.nio.file.Path;
import java.util.Map;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingListener;

/**
 * A training run that writes a checkpoint after every epoch and pauses 25 ms after each (so that the test that kills
 * it with SIGKILL finds it mid-run; the pause does not touch any number). Arguments: checkpoint path.
 */
public final class CheckpointChild {
    static final int EPOCHS = 60;

    static Trainer.Options options() {
        return Trainer.Options.defaults().withEpochs(EPOCHS).withBatchSize(32).withSeed(3).withReshuffle(true)
                .withSelection(Trainer.Selection.BEST);
    }

    static CouplingFlow flow() {
        return CouplingFlow.create(new CouplingFlow.Architecture(2, 2, new int[] {8, 8}), 9);
    }

    static Dataset data() {
        return ToyDatasets.sample2dDatasets("moons", 200, 0, 5);
    }

    public static void main(String[] args) throws Exception {
        Path ckpt = Path.of(args[0]);
        CouplingFlow flow = flow();
        Trainer.Options options = options();
        Trainer.Session[] session = new Trainer.Session[1];
        session[0] = new Trainer(options).start(flow, data());
        session[0].run(new TrainingListener() {
            @Override
            public boolean onEpoch(Epoch epoch) {
                try {
                    TrainingCheckpoint.save(ckpt, flow, options, session[0], Map.of("run.note", "child"));
                    Thread.sleep(25);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                return true;
            }
        });
    }
}
