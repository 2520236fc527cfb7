package io.clip4j.bench;

import org.HdrHistogram.Histogram;

/**
 * One runtime's figures for one case: latency percentiles of a call (milliseconds) and the
 * throughput in items (images or texts) per second.
 */
public record CaseResult(
    String runtime,
    String kind,
    int batch,
    int callers,
    long calls,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double maxMs,
    double meanMs,
    double itemsPerSecond) {

  /** From one caller's histogram: throughput is the batch over the mean call time. */
  static CaseResult single(String runtime, BenchCase c, Histogram h) {
    double meanMs = h.getMean() / 1e6;
    return of(runtime, c, 1, h, h.getTotalCount(), c.batch() * 1e3 / meanMs);
  }

  /** From concurrent callers: throughput is what all of them got done over the wall time. */
  static CaseResult concurrent(String runtime, BenchCase c, int callers, Measurement.Concurrent m) {
    return of(
        runtime,
        c,
        callers,
        m.latencies(),
        m.calls(),
        m.calls() * (double) c.batch() / m.seconds());
  }

  private static CaseResult of(
      String runtime, BenchCase c, int callers, Histogram h, long calls, double itemsPerSecond) {
    return new CaseResult(
        runtime,
        c.kind().id(),
        c.batch(),
        callers,
        calls,
        ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)),
        ms(h.getValueAtPercentile(99)),
        ms(h.getMaxValue()),
        h.getMean() / 1e6,
        itemsPerSecond);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
