package org.kdeflow.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Words;
import org.kdeflow.cli.io.CsvWriter;
import org.kdeflow.data.Dataset;
import org.kdeflow.kde.Bounds;
import org.kdeflow.kde.KernelDensity;
import picocli.CommandLine.Option;

/**
 * The options of {@code kdeflow kde --data} that shape the estimate and what is taken from it, in the order they
 * apply: {@code --bounds} (reflection at a box domain), {@code --given} (the conditional density), {@code --marginal}
 * (the marginal density), then {@code --box} (probabilities, printed) and {@code --save} (the model file). A picocli
 * mixin: the command calls {@link #check()} before any work, then {@link #estimate} per bandwidth.
 *
 * <p>Coordinates are named as the data file's header names them (after {@code --columns}; the {@code --weights}
 * column is none of them), or {@code x, y} / {@code x1 … xd} without a header, or by number from 1 in that order.
 * {@code --given} and {@code --marginal} name coordinates of the data; {@code --box} and the query points of
 * {@code --at} have one value per coordinate of the final estimate.
 */
public final class KdeEstimateOptions {
    private static final Pattern INDEX = Pattern.compile("\\d+");
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");

    @Option(names = "--bounds", paramLabel = "LO:HI,…",
            description = "A box domain, one lower:upper per coordinate of the data (a side may be a number, inf, "
                    + "-inf or empty for open), e.g. 0:inf,0:1. The estimate is reflected at the finite bounds, so "
                    + "it is 0 outside and integrates to 1 inside; every point must lie in the box. Default: none.")
    String bounds;

    @Option(names = "--given", paramLabel = "NAME=VALUE", split = ",",
            description = "Condition on coordinates (by column name or number from 1): the estimate becomes "
                    + "p(the other coordinates | NAME = VALUE, …), again a kernel estimate, e.g. --given x=0.5.")
    List<String> given;

    @Option(names = "--marginal", paramLabel = "NAME", split = ",",
            description = "Keep these coordinates, in this order, integrating out the others (applied after "
                    + "--given), e.g. --marginal y or --marginal y,x.")
    List<String> marginal;

    @Option(names = "--box", paramLabel = "LO:HI,…",
            description = "Print P(LO <= X <= HI) under the estimate: one lower:upper per coordinate of the final "
                    + "estimate (after --given and --marginal; inf and -inf allowed), e.g. --box 0:1,-inf:2. "
                    + "Exact in 1 and 2 dimensions, to 1e-5 beyond. May be repeated.")
    List<String> boxes;

    @Option(names = "--save", paramLabel = "KDE.safetensors",
            description = "Write the estimate (after --given and --marginal) as a model file: samples, weights, H, "
                    + "per-sample factors, kernel and bounds, for 'kdeflow score', 'sample --model' and 'density'.")
    Path save;

    /** The parsed values, set by {@link #check()}. */
    private Bounds domain;
    private List<Bounds> boxList = List.of();
    private List<String> givenNames = List.of();
    private double[] givenValues = new double[0];
    /** Resolved against the data by {@link #resolve}. */
    private int[] givenIndex = new int[0];
    private int[] marginalIndex;
    private List<String> estimateNames = List.of();
    private String label = "";

    /** Whether any option of this group was given. */
    boolean any() {
        return bounds != null || given != null || marginal != null || boxes != null || save != null;
    }

    /** The first option of this group given, for "applies to --data" messages. */
    String first() {
        return bounds != null ? "--bounds" : given != null ? "--given" : marginal != null ? "--marginal"
                : boxes != null ? "--box" : "--save";
    }

    /** Whether the estimate goes to {@code --save} or gives {@code --box} probabilities. */
    boolean hasOutput() {
        return save != null || boxes != null;
    }

    /**
     * Checks the syntax of every option (the names are resolved against the data in {@link #estimate}).
     *
     * @throws InputException naming the option and the value
     */
    void check() {
        domain = bounds == null ? null : parseBox("--bounds", bounds);
        List<Bounds> list = new ArrayList<>();
        if (boxes != null) {
            for (String b : boxes) {
                list.add(parseBox("--box", b));
            }
        }
        boxList = List.copyOf(list);
        if (given != null) {
            List<String> names = new ArrayList<>();
            givenValues = new double[given.size()];
            for (int t = 0; t < given.size(); t++) {
                String g = given.get(t).trim();
                int eq = g.indexOf('=');
                if (eq <= 0 || eq == g.length() - 1) {
                    throw new InputException("--given '" + Words.abbreviate(g, 80) + "': expected NAME=VALUE, e.g. "
                            + "--given x=0.5");
                }
                names.add(g.substring(0, eq).trim());
                String v = g.substring(eq + 1).trim();
                try {
                    givenValues[t] = NON_FINITE.matcher(v).matches() ? Double.NaN : Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new InputException("--given " + Words.abbreviate(g, 80) + ": '" + Words.abbreviate(v, 60)
                            + "' is not a number");
                }
                if (!Double.isFinite(givenValues[t])) {
                    throw new InputException("--given " + Words.abbreviate(g, 80) + ": the value must be a finite "
                            + "number");
                }
            }
            givenNames = List.copyOf(names);
        }
        if (marginal != null && (marginal.isEmpty() || marginal.stream().anyMatch(String::isBlank))) {
            throw new InputException("--marginal needs coordinate names or numbers, e.g. --marginal x");
        }
    }

    /** {@code lower:upper} per coordinate, through {@link Bounds#parse}, its message under the option's name. */
    private static Bounds parseBox(String option, String text) {
        try {
            return Bounds.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InputException(option + " " + Words.abbreviate(text, 80) + ": "
                    + String.valueOf(e.getMessage()).replaceFirst("^bounds: ", ""));
        }
    }

    /** The box probabilities asked for ({@link #check()} first). */
    List<Bounds> boxes() {
        return boxList;
    }

    /** An estimate shaped by the options: the KDE, the names of its coordinates, and f̂(…) for titles. */
    record Estimate(KernelDensity kde, List<String> names, String label) {
    }

    /**
     * Resolves the options against the data, before any estimate is made: the dimension of {@code --bounds} and
     * that every point lies in it, the coordinates {@code --given} and {@code --marginal} name and the given values
     * against the bounds, and the dimension of every {@code --box}.
     *
     * @param x     the points
     * @param names the data's coordinate names
     * @param file  the data file, for messages
     * @throws InputException naming the option and what does not fit
     */
    void resolve(Dataset x, List<String> names, Path file) {
        int d = x.dim();
        if (domain != null) {
            if (domain.dim() != d) {
                throw new InputException("--bounds " + Words.abbreviate(bounds, 80) + " has "
                        + Words.count(domain.dim(), "interval") + " but the data have " + Words.count(d, "coordinate")
                        + " (" + String.join(", ", names) + ")");
            }
            double[] v = x.toArray();
            for (int i = 0; i < x.size(); i++) {
                if (!domain.contains(v, i * d)) {
                    throw new InputException("--bounds " + Words.abbreviate(bounds, 80) + ": data row " + (i + 1)
                            + " of " + file + " " + point(v, i * d, d) + " lies outside the box");
                }
            }
        }
        List<String> left = new ArrayList<>(names);
        givenIndex = new int[givenNames.size()];
        StringBuilder condition = new StringBuilder();
        for (int t = 0; t < givenIndex.length; t++) {
            int j = coordinate("--given", givenNames.get(t), names);
            givenIndex[t] = j;
            for (int u = 0; u < t; u++) {
                if (givenIndex[u] == j) {
                    throw new InputException("--given names " + names.get(j) + " twice");
                }
            }
            if (domain != null && !(givenValues[t] >= domain.lower(j) && givenValues[t] <= domain.upper(j))) {
                throw new InputException("--given " + givenNames.get(t) + "=" + CsvWriter.number(givenValues[t])
                        + " lies outside the --bounds of " + names.get(j) + ", [" + CsvWriter.number(domain.lower(j))
                        + ", " + CsvWriter.number(domain.upper(j)) + "]");
            }
            condition.append(t == 0 ? "" : ", ").append(names.get(j)).append(" = ")
                    .append(CsvWriter.number(givenValues[t]));
            left.remove(names.get(j));
        }
        if (givenIndex.length > 0 && left.isEmpty()) {
            throw new InputException("--given fixes every coordinate (" + String.join(", ", names) + "); leave at "
                    + "least one free");
        }
        if (marginal != null) {
            marginalIndex = new int[marginal.size()];
            List<String> kept = new ArrayList<>();
            for (int t = 0; t < marginalIndex.length; t++) {
                String name = names.get(coordinate("--marginal", marginal.get(t), names));
                if (kept.contains(name)) {
                    throw new InputException("--marginal names " + name + " twice");
                }
                marginalIndex[t] = left.indexOf(name);
                if (marginalIndex[t] < 0) {
                    throw new InputException("--marginal " + name + ": " + name + " is fixed by --given");
                }
                kept.add(name);
            }
            left = kept;
        }
        for (int b = 0; b < boxList.size(); b++) {
            if (boxList.get(b).dim() != left.size()) {
                throw new InputException("--box " + Words.abbreviate(boxes.get(b), 80) + " has "
                        + Words.count(boxList.get(b).dim(), "interval") + " but the estimate has "
                        + Words.count(left.size(), "coordinate") + " (" + String.join(", ", left) + ")");
            }
        }
        estimateNames = List.copyOf(left);
        label = "f̂(" + String.join(", ", left) + (condition.length() > 0 ? " | " + condition : "") + ")";
    }

    /** The coordinates of the estimate after {@code --given} and {@code --marginal} ({@link #resolve} first). */
    List<String> names() {
        return estimateNames;
    }

    /**
     * Applies {@code --bounds}, {@code --given} and {@code --marginal} to an estimate of the data given to
     * {@link #resolve}: f̂ on the box D (reflected), then p(x_B | x_A = a), then the marginal of the kept coordinates.
     *
     * @throws InputException when the kernel and H cannot be conditioned or marginalised, or the estimate is 0 at
     *                        the given point
     */
    Estimate estimate(KernelDensity kde) {
        KernelDensity e = domain == null ? kde : kde.withBounds(domain);
        if (givenIndex.length > 0) {
            try {
                e = e.conditional(givenIndex.clone(), givenValues.clone());
            } catch (IllegalArgumentException ex) {
                throw new InputException("--given " + String.join(",", given) + ": " + ex.getMessage(), ex);
            }
        }
        if (marginalIndex != null) {
            try {
                e = e.marginal(marginalIndex.clone());
            } catch (IllegalArgumentException ex) {
                throw new InputException("--marginal " + String.join(",", marginal) + ": " + ex.getMessage(), ex);
            }
        }
        return new Estimate(e, estimateNames, label);
    }

    /**
     * The index of the coordinate {@code token} names: a name of {@code names}, else a number from 1.
     *
     * @throws InputException for no such coordinate, or a name two coordinates share
     */
    static int coordinate(String option, String token, List<String> names) {
        String t = token.trim();
        int j = names.indexOf(t);
        if (j >= 0) {
            if (names.lastIndexOf(t) != j) {
                throw new InputException(option + " " + Words.abbreviate(t, 80) + ": two coordinates are named "
                        + Words.abbreviate(t, 80) + "; give its number (from 1) instead");
            }
            return j;
        }
        if (INDEX.matcher(t).matches()) {
            long k = t.length() > 9 ? Long.MAX_VALUE : Long.parseLong(t);
            if (k >= 1 && k <= names.size()) {
                return (int) k - 1;
            }
        }
        throw new InputException(option + " " + Words.abbreviate(t, 80) + ": the data have no coordinate of that "
                + "name or number; their coordinates: " + Words.abbreviate(String.join(", ", names), 200)
                + " (numbers 1 … " + names.size() + ")");
    }

    /** The box {@code b} with the coordinates' names, e.g. {@code x in [0.0, 1.0], y in [-inf, 2.0]}. */
    static String describe(Bounds b, List<String> names) {
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < b.dim(); j++) {
            s.append(j == 0 ? "" : ", ").append(names.get(j)).append(" in [").append(CsvWriter.number(b.lower(j)))
                    .append(", ").append(CsvWriter.number(b.upper(j))).append(']');
        }
        return s.toString();
    }

    private static String point(double[] v, int off, int d) {
        StringBuilder s = new StringBuilder("(");
        for (int j = 0; j < d; j++) {
            s.append(j == 0 ? "" : ", ").append(CsvWriter.number(v[off + j]));
        }
        return s.append(')').toString();
    }
}
