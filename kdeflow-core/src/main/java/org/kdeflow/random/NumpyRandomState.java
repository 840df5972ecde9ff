package org.kdeflow.random;

/**
 * numpy's legacy {@code RandomState} stream, bit for bit: MT19937 seeded with {@code init_genrand(seed)}, 53-bit
 * doubles, the Marsaglia polar Gaussian with its cached second value, and Fisher–Yates shuffles drawing indices by
 * masked rejection sampling.
 *
 * <p>For a seed s, {@code new NumpyRandomState(s)} yields the same numbers as {@code numpy.random.RandomState(s)} in
 * numpy 1.17 and later (checked against numpy 1.24.2): {@link #randomSample()} ≡ {@code random_sample()},
 * {@link #gauss()} ≡ {@code standard_normal()}, {@link #shuffle(int[])} ≡ {@code shuffle} of a 1-D array.
 *
 * <p>Not thread-safe: give each thread its own stream.
 */
public final class NumpyRandomState {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int pos;
    private boolean hasGauss;
    private double gaussCache;

    /**
     * Seeds the stream as {@code RandomState(seed)} does.
     *
     * @param seed 0 … 2³²−1, the range numpy accepts
     * @throws IllegalArgumentException for a seed outside that range
     */
    public NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("seed must be between 0 and 2^32 - 1, got " + seed);
        }
        int s = (int) seed;
        for (int i = 0; i < N; i++) {
            mt[i] = s;
            s = 1812433253 * (s ^ (s >>> 30)) + i + 1;
        }
        pos = N;
    }

    private NumpyRandomState(int[] key, int pos, boolean hasGauss, double gaussCache) {
        System.arraycopy(key, 0, mt, 0, N);
        this.pos = pos;
        this.hasGauss = hasGauss;
        this.gaussCache = gaussCache;
    }

    /** An independent copy of this stream's current state. */
    public NumpyRandomState copy() {
        return new NumpyRandomState(mt, pos, hasGauss, gaussCache);
    }

    /** The state as numpy's {@code get_state()} lays it out: 624 key words, then pos, has_gauss (0/1). */
    public State state() {
        return new State(mt.clone(), pos, hasGauss, gaussCache);
    }

    /** Restores a stream from {@link #state()}. */
    public static NumpyRandomState fromState(State state) {
        if (state.key().length != N || state.pos() < 0 || state.pos() > N) {
            throw new IllegalArgumentException("invalid MT19937 state: key length " + state.key().length
                    + ", pos " + state.pos());
        }
        return new NumpyRandomState(state.key(), state.pos(), state.hasGauss(), state.gauss());
    }

    /** A snapshot of the generator: MT19937 key and position plus the cached Gaussian. */
    public record State(int[] key, int pos, boolean hasGauss, double gauss) {
        public State {
            key = key.clone();
        }

        @Override
        public int[] key() {
            return key.clone();
        }
    }

    private void reload() {
        int i = 0;
        for (; i < N - M; i++) {
            int y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
            mt[i] = mt[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        for (; i < N - 1; i++) {
            int y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
            mt[i] = mt[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        int y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
        mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        pos = 0;
    }

    /** The next tempered 32-bit output, as a signed int holding the unsigned bits. */
    public int nextInt32() {
        if (pos == N) {
            reload();
        }
        int y = mt[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** The next 32-bit output as an unsigned value in [0, 2³²). */
    public long nextUint32() {
        return nextInt32() & 0xffffffffL;
    }

    /** {@code random_sample()}: ((a ≫ 5)·2²⁶ + (b ≫ 6)) / 2⁵³, a uniform double in [0, 1). */
    public double randomSample() {
        long a = nextUint32() >>> 5;
        long b = nextUint32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** {@code uniform(low, high)} = low + (high − low)·random_sample(). */
    public double uniform(double low, double high) {
        return low + (high - low) * randomSample();
    }

    /**
     * {@code standard_normal()}: the legacy polar method. Draws x₁, x₂ = 2u − 1 until 0 &lt; r² = x₁² + x₂² &lt; 1,
     * returns f·x₂ with f = √(−2 ln r² / r²) and keeps f·x₁ for the next call.
     */
    public double gauss() {
        if (hasGauss) {
            hasGauss = false;
            double g = gaussCache;
            gaussCache = 0.0;
            return g;
        }
        double x1;
        double x2;
        double r2;
        do {
            x1 = 2.0 * randomSample() - 1.0;
            x2 = 2.0 * randomSample() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
        gaussCache = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** {@code normal(loc, scale)} = loc + scale·gauss(). */
    public double normal(double loc, double scale) {
        return loc + scale * gauss();
    }

    /** Fills {@code out} with standard normals in order, as {@code standard_normal(size)} in C order. */
    public void fillGauss(double[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = gauss();
        }
    }

    /**
     * numpy's {@code random_interval(max)}: a uniform integer in [0, max] by rejection on the smallest all-ones mask
     * covering max, using 32-bit outputs.
     */
    public int randomInterval(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, got " + max);
        }
        if (max == 0) {
            return 0;
        }
        int mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        int value;
        while ((value = nextInt32() & mask) > max) {
            // rejected: draw again
        }
        return value;
    }

    /** {@code shuffle(x)} for a 1-D array: Fisher–Yates from the end, j = random_interval(i). Modifies {@code x}. */
    public void shuffle(int[] x) {
        for (int i = x.length - 1; i > 0; i--) {
            int j = randomInterval(i);
            int t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }

    /** {@code permutation(n)}: a shuffled {@code arange(n)}. */
    public int[] permutation(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p);
        return p;
    }
}
