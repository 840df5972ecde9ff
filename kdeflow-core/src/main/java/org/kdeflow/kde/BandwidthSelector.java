package org.kdeflow.kde;

import org.kdeflow.data.Dataset;

/**
 * Picks a bandwidth matrix H for a sample. Implementations: {@link BandwidthSelectors}.
 */
@FunctionalInterface
public interface BandwidthSelector {

    /**
     * H for {@code data} with optional {@code weights} (null for equal weights). Does not modify the arguments.
     *
     * @throws IllegalArgumentException if the data cannot support the rule (fewer than 2 samples, a zero variance)
     */
    Bandwidth select(Dataset data, double[] weights);

    /**
     * Parses "scott", "silverman", "lcv", "ucv", "adaptive" (Abramson, {@link BandwidthSelectors#adaptive}), "hpi"
     * or "hscv" (R ks's plug-in and smoothed cross-validation matrices; full or diagonal form only) with the given
     * form.
     *
     * @throws IllegalArgumentException for an unknown name, or hpi/hscv with the scalar form
     */
    static BandwidthSelector parse(String name, Bandwidth.Kind form) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "scott" -> BandwidthSelectors.scott(form);
            case "silverman" -> BandwidthSelectors.silverman(form);
            case "lcv" -> BandwidthSelectors.likelihoodCV(form);
            case "ucv" -> BandwidthSelectors.leastSquaresCV(form);
            case "adaptive" -> BandwidthSelectors.adaptive(form);
            case "hpi" -> BandwidthSelectors.pluginHpi(form);
            case "hscv" -> BandwidthSelectors.smoothedCV(form);
            default -> throw new IllegalArgumentException("unknown bandwidth rule '" + name
                    + "' (expected scott, silverman, lcv, ucv, adaptive, hpi or hscv)");
        };
    }
}
