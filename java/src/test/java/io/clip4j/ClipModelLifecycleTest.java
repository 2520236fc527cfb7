package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Thread safety and the lifetime contract: idempotent close that waits, no use after close. */
@Tag("native")
class ClipModelLifecycleTest {
  private static final Path IMAGE = Fixtures.IMAGES.resolve("astronaut.jpg");

  @Test
  void concurrentCallersGetTheSingleThreadedResults() throws Exception {
    try (ClipModel model = ClipModel.load(Fixtures.path("vit-tiny"))) {
      float[] image = model.embedImage(IMAGE);
      float[] text = model.embedText("a photo of an astronaut");
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 10; i++) {
                    assertArrayEquals(image, model.embedImage(IMAGE), 1e-6f);
                    assertArrayEquals(text, model.embedText("a photo of an astronaut"), 1e-6f);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
      pool.shutdown();
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsThrow() {
    ClipModel model = ClipModel.load(Fixtures.path("vit-tiny"));
    model.close();
    model.close();
    assertThrows(IllegalStateException.class, () -> model.embedText("x"));
    assertThrows(IllegalStateException.class, () -> model.embedImage(IMAGE));
  }

  @Test
  void closeWaitsForCallsInFlight() throws Exception {
    ClipModel model = ClipModel.load(Fixtures.path("vit-tiny"));
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      futures.add(
          pool.submit(
              () -> {
                // Embed until the model is closed under us: each call either completes or is
                // rejected.
                while (true) {
                  try {
                    assertEquals(32, model.embedImage(IMAGE).length);
                    completed.incrementAndGet();
                  } catch (IllegalStateException closed) {
                    rejected.incrementAndGet();
                    return null;
                  }
                }
              }));
    }
    Thread.sleep(300);
    model.close();
    for (Future<?> f : futures) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
    assertEquals(4, rejected.get());
    assertTrue(completed.get() > 0, "no call completed before close");
  }

  /**
   * 16 threads mid-call (images, texts, lists spanning two native calls, classification) while
   * close() runs, five times at different moments: every call returns its single-threaded result or
   * throws IllegalStateException, and nothing else happens (no crash, no other exception).
   */
  @Test
  void closeWhileManyThreadsAreMidCall() throws Exception {
    int threads = 16;
    AtomicInteger completed = new AtomicInteger();
    for (int round = 0; round < 5; round++) {
      ClipModel model =
          ClipModel.load(Fixtures.path("vit-tiny"), ClipOptions.builder().batchSize(3).build());
      List<ReferenceCalls.Call> calls = ReferenceCalls.of(model);
      AtomicInteger rejected = new AtomicInteger();
      CountDownLatch started = new CountDownLatch(threads);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        futures.add(
            pool.submit(
                () -> {
                  started.countDown();
                  for (int i = first; ; i++) {
                    ReferenceCalls.Call call = calls.get(i % calls.size());
                    float[][] result;
                    try {
                      result = call.run().get();
                    } catch (IllegalStateException closed) {
                      rejected.incrementAndGet();
                      return null;
                    }
                    assertTrue(ReferenceCalls.matches(call, result), call.name());
                    completed.incrementAndGet();
                  }
                }));
      }
      started.await();
      Thread.sleep(50 + 100L * round);
      model.close();
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES); // a wrong result or another exception fails here
      }
      pool.shutdown();
      assertEquals(threads, rejected.get(), "every thread ends on IllegalStateException");
      assertThrows(IllegalStateException.class, () -> model.embedText("after close"));
    }
    assertTrue(completed.get() > 0, "no call completed before close in any round");
  }
}
