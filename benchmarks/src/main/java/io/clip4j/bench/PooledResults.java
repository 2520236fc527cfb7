package io.clip4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Every call's time per runtime, case and caller count, pooled over the rounds of a run. With
 * several rounds the runtimes take turns, so a machine whose speed drifts (a shared VM) slows them
 * alike instead of whichever ran during its slow minutes.
 */
final class PooledResults {
  private record Key(String runtime, BenchCase c, int callers) {}

  private static final class Pool {
    final Histogram latencies = new Histogram(Measurement.SIGNIFICANT_DIGITS);
    long calls;
    double seconds;
  }

  private final Map<Key, Pool> pools = new LinkedHashMap<>();

  /** One caller's calls, timed one by one; returns this round's figures alone. */
  CaseResult addSingle(String runtime, BenchCase c, Histogram latencies) {
    pool(runtime, c, 1).latencies.add(latencies);
    return CaseResult.single(runtime, c, latencies);
  }

  /**
   * Concurrent callers: their latencies, and how many calls they finished in how long; returns this
   * round's figures alone.
   */
  CaseResult addConcurrent(String runtime, BenchCase c, int callers, Measurement.Concurrent m) {
    Pool p = pool(runtime, c, callers);
    p.latencies.add(m.latencies());
    p.calls += m.calls();
    p.seconds += m.seconds();
    return CaseResult.concurrent(runtime, c, callers, m);
  }

  /** The pooled figures, in the order the cases were first measured. */
  List<CaseResult> results() {
    List<CaseResult> results = new ArrayList<>();
    pools.forEach(
        (k, p) ->
            results.add(
                k.callers() == 1
                    ? CaseResult.single(k.runtime(), k.c(), p.latencies)
                    : CaseResult.concurrent(
                        k.runtime(),
                        k.c(),
                        k.callers(),
                        new Measurement.Concurrent(p.latencies, p.calls, p.seconds))));
    return results;
  }

  private Pool pool(String runtime, BenchCase c, int callers) {
    return pools.computeIfAbsent(new Key(runtime, c, callers), k -> new Pool());
  }
}
