package org.kdeflow.models;

import org.kdeflow.formats.SafeTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.formats.Tensor;
import org.kdeflow.nn.Adam;
import org.kdeflow.kernels.Kernels;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;

/**
 * A training run frozen between two epochs, in a safetensors file (all tensors F64, so every number comes back
 * bit for bit): resuming it and training on gives exactly the weights of the uninterrupted run.
 *
 * <p>Tensors (P = number of trainable parameters, in the flow's flat {@code parameters()} order, which is its
 * {@code state_dict} order without the masks; E = epochs done):
 * <pre>
 *   model.layers.{i}.…       the current weights under the homework's state_dict names (masks included), or for any
 *                            other flow its tensors as in its model file ({@code model.transforms.{k}.…}, with the
 *                            flow's spec in {@code kdeflow.spec})
 *   optimizer.m, optimizer.v [P]        Adam's first and second moments
 *   best.weights             [P]        the snapshot with the lowest validation loss (absent before it exists)
 *   average.weights          [P]        the running average of the weights (with weight averaging)
 *   losses.train, losses.valid [E]      per-epoch mean losses
 *   data.train [n_train, d], data.valid [n_valid, d]   the split, in the order training visits it
 *   rng.shuffle.key [624], rng.shuffle.state [3]      the reshuffling stream (MT19937 key; pos, has_gauss, gauss);
 *                                                      absent in fixed order
 * </pre>
 * {@code __metadata__} holds the counters and settings as exact decimal strings ({@code checkpoint.*},
 * {@code options.*}), the model description of {@link FlowModelFile#describe}, and whatever the caller adds (the
 * command line stores how to rebuild its outputs).
 */
public final class TrainingCheckpoint {
    /** Checkpoint format version. */
    public static final int VERSION = 1;

    private static final String MODEL = "model.";
    /** Metadata key of the dense kernel the run computed with. */
    public static final String KEY_KERNEL = "checkpoint.kernel";

    private TrainingCheckpoint() {
    }

    /**
     * What a checkpoint holds.
     *
     * @param model the model being trained: the homework's {@link CouplingFlow} or any other {@link Flow}
     */
    public record Contents(Density model, Trainer.Options options, Dataset.Split split, Trainer.State state,
                           Map<String, String> metadata) {
        public Contents {
            metadata = Map.copyOf(metadata);
            if (!(model instanceof CouplingFlow) && !(model instanceof Flow)) {
                throw new IllegalArgumentException("a checkpoint holds a flow, not a " + model.getClass().getName());
            }
        }

        /** The homework's flow being trained, or null when the checkpoint holds another flow ({@link #model()}). */
        public CouplingFlow flow() {
            return model instanceof CouplingFlow c ? c : null;
        }

        /** The flow the trainer trains: the model itself, or the homework flow's {@link CouplingFlow#asFlow()}. */
        public Flow trainable() {
            return model instanceof CouplingFlow c ? c.asFlow() : (Flow) model;
        }

        /**
         * A session that continues the run: a trainer with {@code options} on the saved split, restored to the saved
         * state, training {@link #model()} in place.
         */
        public Trainer.Session resume() {
            Trainer.Session s = new Trainer(options).start(trainable(), split);
            s.restore(state);
            return s;
        }

        /**
         * A warning when this JVM computes with another dense kernel than the run that wrote the checkpoint (the
         * vector and scalar kernels round differently, so training on would not repeat the uninterrupted run bit for
         * bit), or null.
         */
        public String kernelWarning() {
            String then = metadata.get(KEY_KERNEL);
            String now = Kernels.get().dense().name();
            return then == null || then.equals(now) ? null
                    : "the checkpoint was written with the " + then + " kernel and this JVM uses the " + now
                    + " kernel: training continues, but not bit-identical to an uninterrupted run";
        }

        /** The same contents with more epochs planned (to extend a run that has finished). */
        public Contents withEpochs(int epochs) {
            return new Contents(model, options.withEpochs(epochs), split, state, metadata);
        }
    }

    /**
     * Writes the state of {@code session} (training {@code flow} with {@code options}) atomically.
     *
     * @param extra caller's metadata (keys must not start with {@code checkpoint.}, {@code options.} or
     *              {@code kdeflow.})
     */
    public static void save(Path file, CouplingFlow flow, Trainer.Options options, Trainer.Session session,
                            Map<String, String> extra) throws IOException {
        write(file, flow, options, session, extra);
    }

    /** As {@link #save(Path, CouplingFlow, Trainer.Options, Trainer.Session, Map)} for any other flow. */
    public static void save(Path file, Flow flow, Trainer.Options options, Trainer.Session session,
                            Map<String, String> extra) throws IOException {
        write(file, flow, options, session, extra);
    }

    private static void write(Path file, Density model, Trainer.Options options, Trainer.Session session,
                              Map<String, String> extra) throws IOException {
        Trainer.State st = session.state();
        Map<String, Tensor> t = new LinkedHashMap<>();
        Map<String, String> m = new LinkedHashMap<>();
        int p;
        // The model's current weights by name: a copy of the flow with the state's weights.
        if (model instanceof CouplingFlow flow) {
            CouplingFlow current = flow.copy();
            current.parameters().copyFrom(st.weights());
            current.stateDict().forEach((name, v) -> t.put(MODEL + name, Tensor.of(v.values(), v.shape())));
            m.putAll(FlowModelFile.describe(flow));
            p = flow.parameters().size();
        } else {
            Flow current = ((Flow) model).copy();
            current.parameters().copyFrom(st.weights());
            ObjectNode spec = new FlowCodec().write(current, MODEL, t);
            m.put(ModelFile.KEY_VERSION, Integer.toString(ModelFile.FORMAT_VERSION));
            m.put(ModelFile.KEY_MODEL, "flow");
            m.put(ModelFile.KEY_SPEC, ModelFile.json(spec));
            p = current.parameters().size();
        }
        Adam.State adam = st.adam();
        t.put("optimizer.m", Tensor.of(adam.m(), p));
        t.put("optimizer.v", Tensor.of(adam.v(), p));
        if (st.bestWeights() != null) {
            t.put("best.weights", Tensor.of(st.bestWeights(), p));
        }
        if (st.averageWeights() != null) {
            t.put("average.weights", Tensor.of(st.averageWeights(), p));
        }
        t.put("losses.train", Tensor.of(st.trainLosses(), st.epochsDone()));
        t.put("losses.valid", Tensor.of(st.validLosses(), st.epochsDone()));
        Dataset train = session.trainSet();
        Dataset valid = session.validSet();
        t.put("data.train", Tensor.of(train.toArray(), train.size(), train.dim()));
        t.put("data.valid", Tensor.of(valid.toArray(), valid.size(), valid.dim()));
        NumpyRandomState.State rng = st.shuffle();
        if (rng != null) {
            int[] key = rng.key();
            double[] k = new double[key.length];
            for (int i = 0; i < key.length; i++) {
                k[i] = Integer.toUnsignedLong(key[i]);
            }
            t.put("rng.shuffle.key", Tensor.of(k, key.length));
            t.put("rng.shuffle.state", Tensor.of(new double[] {rng.pos(), rng.hasGauss() ? 1 : 0, rng.gauss()}, 3));
        }
        m.put("checkpoint.version", Integer.toString(VERSION));
        m.put("checkpoint.epochs_done", Integer.toString(st.epochsDone()));
        m.put("checkpoint.best_epoch", Integer.toString(st.bestEpoch()));
        m.put("checkpoint.best_valid_loss", Double.toString(st.bestValidLoss()));
        m.put("checkpoint.elapsed_nanos", Long.toString(st.elapsedNanos()));
        m.put("checkpoint.adam_steps", Long.toString(adam.steps()));
        m.put(KEY_KERNEL, Kernels.get().dense().name());
        m.put("options.epochs", Integer.toString(options.epochs()));
        m.put("options.batch_size", Integer.toString(options.batchSize()));
        m.put("options.learning_rate", Double.toString(options.learningRate()));
        m.put("options.seed", Long.toString(options.seed()));
        m.put("options.train_fraction", Double.toString(options.trainFraction()));
        m.put("options.reshuffle", Boolean.toString(options.reshuffle()));
        m.put("options.selection", options.selection().name());
        m.put("options.precision", options.precision().name());
        m.put("options.weight_decay", Double.toString(options.weightDecay()));
        m.put("options.schedule", options.schedule().name());
        m.put("options.clip_norm", Double.toString(options.clipNorm()));
        m.put("options.patience", Integer.toString(options.patience()));
        m.put("options.skip_non_finite", Boolean.toString(options.skipNonFinite()));
        m.put("options.ema_decay", Double.toString(options.emaDecay()));
        m.put("checkpoint.skipped_batches", Long.toString(st.skippedBatches()));
        if (extra != null) {
            for (Map.Entry<String, String> e : extra.entrySet()) {
                String k = e.getKey();
                if (m.containsKey(k) || k.startsWith("checkpoint.") || k.startsWith("options.")
                        || k.startsWith("kdeflow.")) {
                    throw new IllegalArgumentException("metadata key '" + k + "' is reserved");
                }
                m.put(k, e.getValue());
            }
        }
        SafeTensors.of(t, m).write(file, DType.F64);
    }

    /**
     * Reads a checkpoint.
     *
     * @throws IllegalArgumentException if the file is not a valid kdeflow checkpoint (naming the file and what is
     *                                  wrong)
     * @throws IOException              if it cannot be read
     */
    public static Contents read(Path file) throws IOException {
        return fromSafeTensors(SafeTensors.read(file), file.toString());
    }

    /**
     * The checkpoint held by the tensors of {@code st}; {@code label} names the source in messages.
     *
     * @throws IllegalArgumentException if they are not a valid kdeflow checkpoint
     */
    public static Contents fromSafeTensors(SafeTensors st, String label) {
        Map<String, String> meta = st.metadata();
        String version = meta.get("checkpoint.version");
        if (version == null) {
            throw bad(label, "not a kdeflow training checkpoint (no checkpoint.version in its metadata)");
        }
        if (!version.equals(Integer.toString(VERSION))) {
            throw bad(label, "checkpoint format " + abbreviate(version) + " is not the one this kdeflow reads (" + VERSION + ")");
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : st.tensors().entrySet()) {
            if (e.getKey().startsWith(MODEL)) {
                model.put(e.getKey().substring(MODEL.length()), e.getValue());
            }
        }
        Map<String, String> modelMeta = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith("kdeflow.")) {
                modelMeta.put(k, v);
            }
        });
        Density trained;
        if ("flow".equals(meta.get(ModelFile.KEY_MODEL))) {
            String specText = meta.get(ModelFile.KEY_SPEC);
            if (specText == null) {
                throw bad(label, "metadata has no " + ModelFile.KEY_SPEC + " describing the flow");
            }
            trained = new FlowCodec().read(ModelFile.parseSpec(specText, label), MODEL, model.isEmpty() ? Map.of()
                    : prefixed(model), label);
        } else {
            trained = FlowModelFile.fromSafeTensors(SafeTensors.of(model, modelMeta), label).flow();
        }
        Flow flow = trained instanceof CouplingFlow c ? c.asFlow() : (Flow) trained;
        int p = flow.parameters().size();
        int d = flow.dim();
        Trainer.Options options;
        try {
            options = new Trainer.Options(intOf(meta, "options.epochs", label), intOf(meta, "options.batch_size", label),
                    doubleOf(meta, "options.learning_rate", label), longOf(meta, "options.seed", label),
                    doubleOf(meta, "options.train_fraction", label), boolOf(meta, "options.reshuffle", label),
                    selection(string(meta, "options.selection", label), label),
                    meta.containsKey("options.precision") ? precision(meta.get("options.precision"), label)
                            : org.kdeflow.nn.Precision.F64,
                    meta.containsKey("options.weight_decay") ? doubleOf(meta, "options.weight_decay", label) : 0.0,
                    meta.containsKey("options.schedule") ? schedule(meta.get("options.schedule"), label)
                            : Trainer.Schedule.CONSTANT,
                    meta.containsKey("options.clip_norm") ? doubleOf(meta, "options.clip_norm", label) : 0.0,
                    meta.containsKey("options.patience") ? intOf(meta, "options.patience", label) : 0,
                    meta.containsKey("options.skip_non_finite") && boolOf(meta, "options.skip_non_finite", label),
                    meta.containsKey("options.ema_decay") ? doubleOf(meta, "options.ema_decay", label) : 0.0);
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(label) ? e : bad(label, e.getMessage());
        }
        int epochs = intOf(meta, "checkpoint.epochs_done", label);
        if (epochs < 0 || epochs > options.epochs()) {
            throw bad(label, "checkpoint.epochs_done = " + epochs + " is outside [0, " + options.epochs() + "]");
        }
        double[] m = finite(vector(st, "optimizer.m", p, label), "optimizer.m", label);
        double[] v = finite(vector(st, "optimizer.v", p, label), "optimizer.v", label);
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0) {
                throw bad(label, "tensor 'optimizer.v' holds the negative second moment " + v[i] + " at index " + i);
            }
        }
        long steps = longOf(meta, "checkpoint.adam_steps", label);
        if (steps < 0) {
            throw bad(label, "checkpoint.adam_steps = " + steps + " is negative");
        }
        double[] best = st.tensor("best.weights") == null ? null
                : finite(vector(st, "best.weights", p, label), "best.weights", label);
        int bestEpoch = intOf(meta, "checkpoint.best_epoch", label);
        if (bestEpoch < 0 || bestEpoch > epochs || (best == null) != (bestEpoch == 0)) {
            throw bad(label, "checkpoint.best_epoch = " + bestEpoch + " does not fit " + epochs + " epochs done"
                    + (best == null ? " and no best.weights" : ""));
        }
        double bestValid = doubleOf(meta, "checkpoint.best_valid_loss", label);
        if (bestEpoch > 0 && !Double.isFinite(bestValid)) {
            throw bad(label, "checkpoint.best_valid_loss = " + bestValid + " is not finite");
        }
        double[] trainLosses = finite(vector(st, "losses.train", epochs, label), "losses.train", label);
        double[] validLosses = finite(vector(st, "losses.valid", epochs, label), "losses.valid", label);
        Dataset train = dataset(st, "data.train", d, label);
        Dataset valid = dataset(st, "data.valid", d, label);
        NumpyRandomState.State rng = null;
        if (st.tensor("rng.shuffle.key") != null || st.tensor("rng.shuffle.state") != null) {
            double[] k = vector(st, "rng.shuffle.key", 624, label);
            double[] s = vector(st, "rng.shuffle.state", 3, label);
            int[] key = new int[k.length];
            for (int i = 0; i < k.length; i++) {
                if (!(k[i] >= 0 && k[i] <= 0xffffffffL && k[i] == Math.rint(k[i]))) {
                    throw bad(label, "tensor 'rng.shuffle.key' holds " + k[i] + ", not a 32-bit unsigned integer");
                }
                key[i] = (int) (long) k[i];
            }
            if (!(s[0] >= 0 && s[0] <= 624 && s[0] == Math.rint(s[0])) || (s[1] != 0 && s[1] != 1)
                    || !Double.isFinite(s[2])) {
                throw bad(label, "tensor 'rng.shuffle.state' is not a valid generator state");
            }
            rng = new NumpyRandomState.State(key, (int) s[0], s[1] == 1, s[2]);
        }
        Trainer.State state;
        try {
            double[] average = st.tensor("average.weights") == null ? null
                    : finite(vector(st, "average.weights", p, label), "average.weights", label);
            long skippedBatches = meta.containsKey("checkpoint.skipped_batches")
                    ? longOf(meta, "checkpoint.skipped_batches", label) : 0;
            state = new Trainer.State(epochs, flow.parameters().values(), new Adam.State(m, v, steps), best,
                    bestEpoch, bestValid, trainLosses, validLosses, rng, longOf(meta, "checkpoint.elapsed_nanos",
                    label), average, skippedBatches);
        } catch (IllegalArgumentException e) {
            throw bad(label, e.getMessage());
        }
        Contents c = new Contents(trained, options, new Dataset.Split(train, valid), state, meta);
        // Check that the pieces fit together (sizes, shuffling) before anyone trains on them.
        try {
            c.resume();
        } catch (IllegalArgumentException e) {
            throw bad(label, e.getMessage());
        }
        c.trainable().parameters().copyFrom(state.weights());
        return c;
    }

    /** The model tensors with their {@value #MODEL} prefix put back (the flow codec reads names under a prefix). */
    private static Map<String, Tensor> prefixed(Map<String, Tensor> model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.forEach((k, v) -> out.put(MODEL + k, v));
        return out;
    }

    private static org.kdeflow.nn.Precision precision(String v, String label) {
        for (org.kdeflow.nn.Precision p : org.kdeflow.nn.Precision.values()) {
            if (p.name().equals(v)) {
                return p;
            }
        }
        throw bad(label, "metadata options.precision = '" + abbreviate(v) + "' is not one of "
                + java.util.Arrays.toString(org.kdeflow.nn.Precision.values()));
    }

    private static Trainer.Schedule schedule(String v, String label) {
        for (Trainer.Schedule s : Trainer.Schedule.values()) {
            if (s.name().equals(v)) {
                return s;
            }
        }
        throw bad(label, "metadata options.schedule = '" + abbreviate(v) + "' is not one of "
                + java.util.Arrays.toString(Trainer.Schedule.values()));
    }

    private static double[] vector(SafeTensors st, String name, int length, String label) {
        Tensor t = st.tensor(name);
        if (t == null) {
            throw bad(label, "tensor '" + name + "' is missing");
        }
        if (!t.hasShape(length)) {
            throw bad(label, "tensor '" + name + "' has shape " + t.shapeString() + ", expected [" + length + "]");
        }
        return t.values();
    }

    private static double[] finite(double[] v, String name, String label) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw bad(label, "tensor '" + name + "' holds the non-finite value " + v[i] + " at index " + i);
            }
        }
        return v;
    }

    private static Dataset dataset(SafeTensors st, String name, int d, String label) {
        Tensor t = st.tensor(name);
        if (t == null) {
            throw bad(label, "tensor '" + name + "' is missing");
        }
        if (t.rank() != 2 || t.dim(1) != d || t.dim(0) < 1) {
            throw bad(label, "tensor '" + name + "' has shape " + t.shapeString() + ", expected [n, " + d + "]");
        }
        return Dataset.of(finite(t.values(), name, label), t.dim(0), d);
    }

    private static Trainer.Selection selection(String v, String label) {
        for (Trainer.Selection s : Trainer.Selection.values()) {
            if (s.name().equals(v)) {
                return s;
            }
        }
        throw bad(label, "metadata options.selection = '" + abbreviate(v) + "' is not one of "
                + java.util.Arrays.toString(Trainer.Selection.values()));
    }

    private static String string(Map<String, String> meta, String key, String label) {
        String v = meta.get(key);
        if (v == null) {
            throw bad(label, "metadata " + key + " is missing");
        }
        return v;
    }

    private static int intOf(Map<String, String> meta, String key, String label) {
        long v = longOf(meta, key, label);
        if (v != (int) v) {
            throw bad(label, "metadata " + key + " = " + v + " is out of range");
        }
        return (int) v;
    }

    private static long longOf(Map<String, String> meta, String key, String label) {
        String v = string(meta, key, label);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(label, "metadata " + key + " = '" + abbreviate(v) + "' is not an integer");
        }
    }

    private static double doubleOf(Map<String, String> meta, String key, String label) {
        String v = string(meta, key, label);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(label, "metadata " + key + " = '" + abbreviate(v) + "' is not a number");
        }
    }

    private static boolean boolOf(Map<String, String> meta, String key, String label) {
        String v = string(meta, key, label);
        if (!v.equals("true") && !v.equals("false")) {
            throw bad(label, "metadata " + key + " = '" + abbreviate(v) + "' is not true or false");
        }
        return v.equals("true");
    }

    private static String abbreviate(String s) {
        return SafeTensors.abbreviate(s);
    }

    private static IllegalArgumentException bad(String label, String message) {
        return new IllegalArgumentException(label + ": " + message);
    }
}
