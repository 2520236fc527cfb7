package io.clip4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Times a call: alone, or from several caller threads at once. Warm-up is never recorded. */
final class Measurement {
  private Measurement() {}

  static final int SIGNIFICANT_DIGITS = 3;

  /** Wall time of each call, in nanoseconds, from one caller. */
  static Histogram single(Runnable call, MeasureSettings s) {
    warmUp(call, s);
    Histogram histogram = new Histogram(SIGNIFICANT_DIGITS);
    long deadline = System.nanoTime() + (long) (s.seconds() * 1e9);
    for (int i = 0; i < s.maxIterations(); i++) {
      if (i >= s.minIterations() && System.nanoTime() > deadline) break;
      long start = System.nanoTime();
      call.run();
      histogram.recordValue(System.nanoTime() - start);
    }
    return histogram;
  }

  /** The latencies seen by {@code callers} threads calling at once, and the calls' total rate. */
  record Concurrent(Histogram latencies, long calls, double seconds) {}

  static Concurrent concurrent(Runnable call, int callers, MeasureSettings s)
      throws InterruptedException {
    warmUp(call, s);
    Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
    AtomicLong calls = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    long budget = (long) (s.seconds() * 1e9);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                  long deadline = System.nanoTime() + budget;
                  int done = 0;
                  while (done < s.minIterations() || System.nanoTime() < deadline) {
                    long begin = System.nanoTime();
                    call.run();
                    recorder.recordValue(System.nanoTime() - begin);
                    calls.incrementAndGet();
                    done++;
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              "bench-caller-" + t);
      threads.add(thread);
      thread.start();
    }
    long begin = System.nanoTime();
    start.countDown();
    for (Thread thread : threads) thread.join();
    double seconds = (System.nanoTime() - begin) / 1e9;
    if (failure.get() != null) throw new IllegalStateException("a caller failed", failure.get());
    return new Concurrent(recorder.getIntervalHistogram(), calls.get(), seconds);
  }

  private static void warmUp(Runnable call, MeasureSettings s) {
    long deadline = System.nanoTime() + (long) (s.warmupSeconds() * 1e9);
    do {
      call.run();
    } while (System.nanoTime() < deadline);
  }
}
