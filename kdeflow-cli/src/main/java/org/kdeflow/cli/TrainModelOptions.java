package org.kdeflow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.io.Json;
import org.kdeflow.cli.io.ModelFiles;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.models.ModelFile;
import org.kdeflow.models.TrainingCheckpoint;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingListener;
import org.kdeflow.train.TrainingResult;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The model-file options of {@code kdeflow train}: {@code --save}, {@code --save-dtype}, {@code --checkpoint},
 * {@code --checkpoint-every}, {@code --resume}. A picocli mixin, so that the train command only calls
 * {@link #session}, {@link #checkpointer} and {@link #saveModel}.
 *
 * <p>Resuming follows the PyTorch habit: run the same command again with {@code --resume FILE}. The checkpoint's
 * settings and data split must be those of the command line (a larger {@code --epochs} extends the run); training
 * then continues from the saved epoch and ends bit-identical to an uninterrupted run.
 *
 * <p>{@code --save} is committed with the command's other outputs at the end. {@code --checkpoint} is the one output
 * written during the run, each time whole (atomically), so that a killed run can be resumed; the checkpoint after
 * the last epoch is committed with the other outputs.
 */
public final class TrainModelOptions {

    @Option(names = "--save", paramLabel = "MODEL.safetensors",
            description = "Write the trained model as safetensors (any kdeflow command reads it; the homework's flow "
                    + "with its state_dict names, so that PyTorch loads it with "
                    + "model.load_state_dict(safetensors.torch.load_file(path))).")
    Path save;

    @Option(names = "--save-dtype", paramLabel = "f32|f64", defaultValue = "f64",
            description = "The dtype of the numbers in the --save file: f64 (exact, default) or f32 (PyTorch's "
                    + "default dtype). Training itself runs in --precision.")
    String dtype;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Write a checkpoint (weights, Adam state, split, RNG state, epoch, best snapshot, losses) "
                    + "every --checkpoint-every epochs and after the last one.")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "E", defaultValue = "10",
            description = "Epochs between checkpoints (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue the run saved in this checkpoint (give the same options as the run that wrote "
                    + "it; a larger --epochs extends it).")
    Path resume;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private TrainingCheckpoint.Contents resumed;

    /** Checks the options before any work (exit 2 on a bad value); reads nothing. */
    void validate() {
        dtype();
        if (checkpoint == null && matched("--checkpoint-every")) {
            throw new InputException("--checkpoint-every needs --checkpoint FILE");
        }
        if (save == null && matched("--save-dtype")) {
            throw new InputException("--save-dtype sets the dtype of --save MODEL.safetensors, which is missing");
        }
        if (checkpointEvery < 1) {
            throw new InputException("--checkpoint-every must be at least 1, got " + checkpointEvery);
        }
    }

    private boolean matched(String option) {
        return command != null && command.commandLine() != null && command.commandLine().getParseResult() != null
                && command.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** Reads {@code --resume} (an input: after the outputs are checked). */
    void loadResume() {
        if (resume != null) {
            resumed = ModelFiles.loadCheckpoint(resume);
        }
    }

    SafeTensors.DType dtype() {
        String d = dtype.toLowerCase(Locale.ROOT);
        if (!d.equals("f32") && !d.equals("f64")) {
            throw new InputException("--save-dtype must be f32 or f64, got '" + dtype + "'");
        }
        return SafeTensors.DType.parse(d);
    }

    /**
     * The training session for {@code flow}, {@code data} and {@code trainer}: a fresh one, or with
     * {@code --resume} the checkpoint's, after checking that it belongs to this command line. A resumed session trains
     * {@code flow} in place (its weights are replaced by the checkpoint's).
     */
    Trainer.Session session(Density model, Flow flow, Dataset data, Trainer trainer) {
        if (resumed == null) {
            return trainer.start(flow, data);
        }
        TrainingCheckpoint.Contents c = resumed;
        Trainer.Options want = trainer.options();
        Trainer.Options have = c.options();
        if (model instanceof CouplingFlow cf) {
            if (c.flow() == null) {
                throw mismatch("another kind of flow (" + c.trainable() + "), this command builds the homework's "
                        + cf.architecture());
            }
            if (!cf.architecture().equals(c.flow().architecture())) {
                throw mismatch("a flow " + c.flow().architecture() + ", this command builds " + cf.architecture());
            }
            for (int k = 0; k < cf.numLayers(); k++) {
                if (!Arrays.equals(cf.layer(k).mask(), c.flow().layer(k).mask())) {
                    throw mismatch("other masks in layer " + k);
                }
            }
        } else if (c.flow() != null || !flow.transformSpecs().equals(c.trainable().transformSpecs())
                || !flow.base().spec().equals(c.trainable().base().spec())) {
            throw mismatch("another flow (" + c.trainable() + "), this command builds " + flow);
        }
        check("--precision", have.precision(), want.precision());
        check("--recipe", recipeOf(have), recipeOf(want));
        check("--batch", have.batchSize(), want.batchSize());
        check("--lr", have.learningRate(), want.learningRate());
        check("--train-seed", have.seed(), want.seed());
        check("--reshuffle", have.reshuffle(), want.reshuffle());
        check("--select", have.selection(), want.selection());
        check("training fraction", have.trainFraction(), want.trainFraction());
        if (want.epochs() < c.state().epochsDone()) {
            throw mismatch(c.state().epochsDone() + " epochs done, more than --epochs " + want.epochs());
        }
        Dataset.Split split = data.randomSplit(want.trainFraction(), want.seed());
        if (!Arrays.equals(split.first().toArray(), c.split().first().toArray())
                || !Arrays.equals(split.second().toArray(), c.split().second().toArray())) {
            throw mismatch("other data: the data split of this command line differs from the checkpoint's");
        }
        flow.parameters().copyFrom(c.trainable().parameters().values());
        Trainer.Session s = new Trainer(want).start(flow, c.split());
        s.restore(c.state());
        return s;
    }

    private static String recipeOf(Trainer.Options o) {
        return o.skipNonFinite() ? "robust" : "notebook";
    }

    /** The warning to print when resuming on another dense kernel, or null. */
    String kernelWarning() {
        return resumed == null ? null : resumed.kernelWarning();
    }

    private void check(String option, Object have, Object want) {
        if (!have.equals(want)) {
            throw mismatch(option + " " + String.valueOf(have).toLowerCase(Locale.ROOT) + ", this command has "
                    + String.valueOf(want).toLowerCase(Locale.ROOT));
        }
    }

    private InputException mismatch(String what) {
        return new InputException(resume + ": the checkpoint was written by a run with " + what
                + "; resume with the options of that run");
    }

    /**
     * Writes checkpoints after every {@code --checkpoint-every} epochs (in place, each atomically) and after the last
     * epoch (to {@code last}, the staged checkpoint committed with the other outputs); null without
     * {@code --checkpoint}.
     */
    TrainingListener checkpointer(Density model, Trainer.Options options, Trainer.Session session,
                                  Map<String, String> run, Path last) {
        if (checkpoint == null) {
            return null;
        }
        return new TrainingListener() {
            @Override
            public boolean onEpoch(Epoch e) {
                try {
                    if (e.epoch() == e.epochs()) {
                        save(last, model, options, session, run);
                    } else if (e.epoch() % checkpointEvery == 0) {
                        Outputs outputs = Outputs.of("kdeflow train");
                        Outputs.Output ckpt = outputs.file("--checkpoint", checkpoint);
                        try (Outputs.Staged staged = outputs.begin()) {
                            save(staged.path(ckpt), model, options, session, run);
                            staged.commit();
                        }
                    }
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
                return true;
            }
        };
    }

    private static void save(Path file, Density model, Trainer.Options options, Trainer.Session session,
            Map<String, String> run) throws IOException {
        if (model instanceof CouplingFlow cf) {
            TrainingCheckpoint.save(file, cf, options, session, run);
        } else {
            TrainingCheckpoint.save(file, (Flow) model, options, session, run);
        }
    }

    /**
     * Writes the trained model to {@code file} (the staged {@code --save}): the homework's flow in its PyTorch layout,
     * any other model through {@link ModelFile}; a JSON summary of the (first) training goes into the metadata.
     */
    void saveModel(Path file, Density model, java.util.List<TrainingResult> results, Map<String, Object> source)
            throws IOException {
        TrainingResult r = results.get(0);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("source", source);
        summary.put("epochs_run", r.epochsRun());
        summary.put("epochs_planned", r.epochsPlanned());
        summary.put("best_epoch", r.bestEpoch());
        summary.put("best_valid_loss", Double.isFinite(r.bestValidLoss()) ? r.bestValidLoss() : null);
        summary.put("final_valid_loss", Double.isFinite(r.finalValidLoss()) ? r.finalValidLoss() : null);
        summary.put("returned_weights", r.returned().name().toLowerCase(Locale.ROOT));
        summary.put("train_size", r.trainSize());
        summary.put("valid_size", r.validSize());
        summary.put("stop_reason", r.stopReason());
        if (results.size() > 1) {
            summary.put("members", results.size());
        }
        Map<String, String> meta = Map.of("kdeflow.training", Json.compact(summary));
        if (model instanceof CouplingFlow cf) {
            FlowModelFile.save(cf, file, dtype(), meta);
        } else {
            ModelFile.save(model, file, dtype(), meta);
        }
    }
}
