package io.clip4j.bench;

/**
 * How long each case runs: a warm-up that is not recorded, then calls until the time budget or the
 * iteration cap is reached, but never fewer than {@code minIterations}.
 */
public record MeasureSettings(
    double warmupSeconds, double seconds, int minIterations, int maxIterations) {

  static final MeasureSettings SMOKE = new MeasureSettings(0.0, 0.2, 2, 5);
}
