package org.kdeflow.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.density.MixtureDensity;
import org.kdeflow.flow.Flow;

/**
 * An ensemble of M flows of one preset trained from different initial seeds (seed, seed + 1, …), averaged in density
 * space: p(x) = (1/M) Σ_m p_m(x) ({@link MixtureDensity#equal}). Averaging densities (not parameters) never loses
 * likelihood on average against the members' mean (Jensen: log of a mean ≥ mean of logs) and smooths the spread
 * between training seeds.
 *
 * @param member the flow estimator whose seed starts the sequence
 * @param members M ≥ 2
 */
public record EnsembleEstimator(FlowEstimator member, int members) implements DensityEstimator {

    public EnsembleEstimator {
        Objects.requireNonNull(member, "member");
        if (members < 2) {
            throw new IllegalArgumentException("an ensemble needs at least 2 members, got " + members);
        }
    }

    @Override
    public String name() {
        return member.name() + "-ensemble" + members;
    }

    @Override
    public Density fit(Dataset data, double[] weights) {
        List<Density> flows = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            FlowEstimator e = new FlowEstimator(member.name(), member.config(), member.options(), member.seed() + m);
            flows.add(e.fit(data, weights));
        }
        return MixtureDensity.equal(flows);
    }

    @Override
    public double expectedSeconds(int n, int d) {
        return members * member.expectedSeconds(n, d);
    }

    @Override
    public double cost() {
        return member.cost() + members;
    }

    @Override
    public long parameterCount(Density fitted) {
        long s = 0;
        if (fitted instanceof MixtureDensity m) {
            for (Density c : m.components()) {
                s += c instanceof Flow f ? f.parameters().size() : 0;
            }
        }
        return s;
    }
}
