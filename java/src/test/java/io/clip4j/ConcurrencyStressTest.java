package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAccumulator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Many threads on two models at once for minutes: every result must equal the single-threaded one
 * (within 1e-6). On demand only ({@code scripts/soak stress}): tagged {@code soak}, which {@code
 * mvn verify} leaves out.
 *
 * <p>Properties: {@code clip4j.stress.threads} (default 32), {@code clip4j.stress.seconds} (180).
 */
@Tag("soak")
@Tag("native")
class ConcurrencyStressTest {
  @Test
  void manyThreadsGetTheSingleThreadedResults() throws Exception {
    int threads = Integer.getInteger("clip4j.stress.threads", 32);
    Duration duration = Duration.ofSeconds(Long.getLong("clip4j.stress.seconds", 180));
    try (ClipModel vit = ClipModel.load(Fixtures.path("vit-tiny"));
        ClipModel resnet = ClipModel.load(Fixtures.path("rn-tiny"))) {
      List<ReferenceCalls.Call> calls = new ArrayList<>(ReferenceCalls.of(vit));
      calls.addAll(ReferenceCalls.of(resnet));
      AtomicLong made = new AtomicLong();
      AtomicLong mismatches = new AtomicLong();
      DoubleAccumulator maxDiff = new DoubleAccumulator(Math::max, 0);
      List<String> firstMismatches = java.util.Collections.synchronizedList(new ArrayList<>());
      long deadline = System.nanoTime() + duration.toNanos();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (System.nanoTime() < deadline) {
                    ReferenceCalls.Call call = calls.get(random.nextInt(calls.size()));
                    float[][] result = call.run().get();
                    made.incrementAndGet();
                    double diff = ReferenceCalls.maxDiff(call.expected(), result);
                    maxDiff.accumulate(Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
                    if (!ReferenceCalls.matches(call, result)) {
                      mismatches.incrementAndGet();
                      if (firstMismatches.size() < 5) {
                        firstMismatches.add(call.name() + ": max diff " + diff);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(duration.toSeconds() + 300, TimeUnit.SECONDS); // an exception fails the test here
      }
      pool.shutdown();
      System.out.printf(
          "stress: %d threads, %d s, %d calls (%.1f per second), %d mismatches, max diff %.3g,"
              + " %d kinds of call on vit-tiny and rn-tiny%n",
          threads,
          duration.toSeconds(),
          made.get(),
          made.get() / (double) duration.toSeconds(),
          mismatches.get(),
          maxDiff.get(),
          calls.size());
      assertEquals(0, mismatches.get(), String.join("; ", firstMismatches));
      assertTrue(made.get() >= threads, "fewer calls than threads: " + made.get());
    }
  }
}
