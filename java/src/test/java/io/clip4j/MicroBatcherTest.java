package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Micro-batching: coalesced calls, each caller its own result or error, clean close. */
class MicroBatcherTest {

  @Test
  void concurrentRequestsAreCoalescedAndEachCallerGetsItsOwnResult() throws Exception {
    List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstBatchRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (MicroBatcher<Integer, Integer> batcher =
        new MicroBatcher<>(
            inputs -> {
              batchSizes.add(inputs.size());
              firstBatchRunning.countDown();
              await(release);
              return inputs.stream().map(i -> i * i).toList();
            },
            8,
            Duration.ofMillis(50))) {
      CompletableFuture<Integer> first = batcher.submit(-1);
      assertTrue(firstBatchRunning.await(10, TimeUnit.SECONDS));
      // While the first batch runs, 20 requests queue up: they must go out as 8 + 8 + 4.
      List<CompletableFuture<Integer>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) futures.add(batcher.submit(i));
      release.countDown();
      assertEquals(1, first.get(10, TimeUnit.SECONDS));
      for (int i = 0; i < 20; i++) assertEquals(i * i, futures.get(i).get(10, TimeUnit.SECONDS));
      assertEquals(List.of(1, 8, 8, 4), batchSizes);
    }
  }

  @Test
  void aFailingInputFailsOnlyItsOwnCaller() throws Exception {
    try (MicroBatcher<Integer, Integer> batcher =
        new MicroBatcher<>(
            inputs -> {
              if (inputs.contains(13)) throw new IllegalArgumentException("13 is unlucky");
              return inputs;
            },
            32,
            Duration.ofMillis(200))) {
      List<CompletableFuture<Integer>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) futures.add(batcher.submit(i));
      for (int i = 0; i < 20; i++) {
        if (i == 13) {
          ExecutionException e = assertThrows(ExecutionException.class, futures.get(i)::get);
          assertInstanceOf(IllegalArgumentException.class, e.getCause());
        } else {
          assertEquals(i, futures.get(i).get(10, TimeUnit.SECONDS));
        }
      }
    }
  }

  @Test
  void closeFinishesPendingRequestsAndRejectsNewOnes() throws Exception {
    MicroBatcher<Integer, Integer> batcher =
        new MicroBatcher<>(inputs -> inputs, 4, Duration.ofMillis(100));
    List<CompletableFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) futures.add(batcher.submit(i));
    batcher.close();
    batcher.close();
    for (int i = 0; i < 10; i++) assertEquals(i, futures.get(i).getNow(null));
    assertThrows(IllegalStateException.class, () -> batcher.submit(1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new MicroBatcher<Integer, Integer>(x -> x, 0, Duration.ZERO));
  }

  /**
   * Through the native runner: images submitted from many threads at once come back equal to
   * open_clip's embeddings (models/make_fixtures.py), and a non-image fails only its own caller.
   */
  @Test
  @Tag("native")
  void batchedEmbeddingsEqualOpenClipsAndBadImagesStayApart() throws Exception {
    JsonNode expected = Fixtures.expected("vit-tiny").get("images");
    List<String> names = new ArrayList<>();
    expected.fieldNames().forEachRemaining(names::add);
    try (ClipModel model = ClipModel.load(Fixtures.path("vit-tiny"));
        MicroBatcher<byte[], float[]> batcher =
            new MicroBatcher<>(model::embedEncodedImages, 16, Duration.ofMillis(20))) {
      List<CompletableFuture<float[]>> futures = new ArrayList<>();
      List<String> submitted = new ArrayList<>();
      List<Thread> callers = new ArrayList<>();
      for (int round = 0; round < 4; round++) {
        for (String name : names) {
          byte[] bytes = Files.readAllBytes(Fixtures.IMAGES.resolve(name));
          submitted.add(name);
          futures.add(null);
          int slot = futures.size() - 1;
          callers.add(new Thread(() -> futures.set(slot, batcher.submit(bytes))));
        }
      }
      CompletableFuture<float[]> bad = batcher.submit("not an image".getBytes());
      callers.forEach(Thread::start);
      for (Thread t : callers) t.join();
      for (int i = 0; i < futures.size(); i++) {
        float[] want = Fixtures.floats(expected.get(submitted.get(i)).get("normalized"));
        double diff = Fixtures.maxAbsDiff(want, futures.get(i).get(1, TimeUnit.MINUTES));
        assertTrue(diff <= 1e-5, submitted.get(i) + ": max abs diff " + diff);
      }
      ExecutionException e = assertThrows(ExecutionException.class, bad::get);
      ClipException cause = assertInstanceOf(ClipException.class, e.getCause());
      assertEquals(ErrorCode.BAD_IMAGE, cause.code());
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
