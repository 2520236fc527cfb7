package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clip4j.internal.NativeLibrary;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GPU image path (the gpu build's pinned buffers and CUDA graphs per batch bucket) against
 * open_clip's embeddings of the fixture images. Skipped, with the reason, where this build or
 * machine has no CUDA device.
 */
@Tag("native")
@Tag("gpu")
class CudaRunnerTest {

  /** Why the fixture model does not load on {@code device}. */
  private static ClipException loadFailure(Device device) {
    return assertThrows(
        ClipException.class,
        () ->
            ClipModel.load(
                Fixtures.path("vit-tiny"), ClipOptions.builder().device(device).build()));
  }

  /** A model on cuda:0, or a skipped test when CUDA is not available here. */
  private static ClipModel loadOnGpuOrSkip(Path checkpoint, ClipOptions options) {
    try {
      return ClipModel.load(checkpoint, options.toBuilder().device(Device.cuda(0)).build());
    } catch (ClipException e) {
      assumeTrue(e.code() != ErrorCode.UNSUPPORTED, "no CUDA here: " + e.getMessage());
      throw e;
    }
  }

  /** The CPU build answers a CUDA request by saying it is the CPU build and what to use instead. */
  @Test
  void theCpuBuildSaysSoWhenAskedForCuda() {
    assumeTrue(
        NativeLibrary.class.getResource("linux-x86_64-gpu/libclip4j.so") == null,
        "the CPU build's answer");
    ClipException e = loadFailure(Device.cuda(0));
    assertEquals(ErrorCode.UNSUPPORTED, e.code());
    assertTrue(
        e.getMessage().contains("this is clip4j's CPU build: use the gpu build"), e.getMessage());
  }

  /** A CUDA ordinal past the machine's devices is named, with the ones there are. */
  @Test
  void anOrdinalPastTheDevicesIsNamed() {
    ClipException e = loadFailure(Device.cuda(1000));
    assumeTrue(e.code() != ErrorCode.UNSUPPORTED, "no CUDA here: " + e.getMessage());
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
    assertTrue(
        e.getMessage().contains(": cuda:1000 was asked for, but this machine has "),
        e.getMessage());
  }

  /**
   * Batches of 1, 3 (padded to the bucket of 4) and all images, each twice (capture, then replay),
   * match open_clip within the precision's tolerance: 1e-5 in fp32 as on the CPU (TF32 is off by
   * default in libtorch), 2e-2 in half precision on unit-norm embeddings.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"FP32, 1e-5", "FP16, 2e-2", "BF16, 4e-2"})
  void embeddingsMatchOpenClipAtEveryBucket(Precision precision, double tolerance) {
    Map<Path, float[]> images =
        Fixtures.expectedImageEmbeddings(Fixtures.expected("vit-tiny"), "normalized");
    List<Path> files = new ArrayList<>(images.keySet());
    List<float[]> want = new ArrayList<>(images.values());
    ClipOptions options = ClipOptions.builder().precision(precision).normalize(true).build();
    try (ClipModel model = loadOnGpuOrSkip(Fixtures.path("vit-tiny"), options)) {
      for (int batch : new int[] {1, 3, files.size()}) {
        for (int round = 0; round < 2; round++) {
          List<float[]> got = model.embedImageFiles(files.subList(0, batch));
          assertEquals(batch, got.size());
          for (int i = 0; i < batch; i++) {
            double diff = Fixtures.maxAbsDiff(want.get(i), got.get(i));
            assertTrue(
                diff <= tolerance,
                precision + " batch " + batch + " round " + round + " image " + i + ": " + diff);
          }
        }
      }
    }
  }

  /**
   * Preprocessed pixels from a direct buffer (read in place; on the GPU copied into the pinned slot
   * while checked) match open_clip's embeddings of the same files in fp32, and a NaN in the third
   * image is named with its number, not embedded.
   */
  @Test
  void directBufferPixelsMatchOpenClipAndNaNIsNamed() throws IOException {
    Map<Path, float[]> images =
        Fixtures.expectedImageEmbeddings(Fixtures.expected("vit-tiny"), "normalized");
    List<float[]> want = new ArrayList<>(images.values());
    ClipOptions options = ClipOptions.builder().normalize(true).build();
    try (ClipModel model = loadOnGpuOrSkip(Fixtures.path("vit-tiny"), options)) {
      List<float[]> pixels = Fixtures.preprocessed(model, images.keySet());
      int size = pixels.get(0).length;
      FloatBuffer buffer = Fixtures.directPixels(pixels, 0);
      List<float[]> got = model.embedPixels(buffer);
      for (int i = 0; i < got.size(); i++) {
        double diff = Fixtures.maxAbsDiff(want.get(i), got.get(i));
        assertTrue(diff <= 1e-5, "image " + i + ": " + diff);
      }
      buffer.put(2 * size + 11, Float.NaN);
      ClipException e = assertThrows(ClipException.class, () -> model.embedPixels(buffer));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(
          e.getMessage().contains("image 2: its pixels hold NaN at value 11"), e.getMessage());
    }
  }

  /**
   * A pinned batch goes to the GPU as it lies: the same embeddings as the same pixels from ordinary
   * memory (to the bit: the same values reach the same staging buffer), open_clip's to 1e-5, and a
   * NaN found by the device's check, then named by the host's scan. Closed, the batch is unpinned
   * and its old buffer takes the ordinary path.
   */
  @Test
  void pinnedBatchMatchesOrdinaryMemoryAndItsNaNIsNamed() throws IOException {
    Map<Path, float[]> images =
        Fixtures.expectedImageEmbeddings(Fixtures.expected("vit-tiny"), "normalized");
    List<float[]> want = new ArrayList<>(images.values());
    ClipOptions options = ClipOptions.builder().normalize(true).batchSize(2).build();
    try (ClipModel model = loadOnGpuOrSkip(Fixtures.path("vit-tiny"), options)) {
      List<float[]> pixels = Fixtures.preprocessed(model, images.keySet());
      PixelBatch batch = model.newPixelBatch(pixels.size());
      assertTrue(batch.pinned(), "a GPU model pins its batches");
      for (int i = 0; i < pixels.size(); i++) batch.image(i).put(pixels.get(i));
      List<float[]> got = model.embedPixels(batch, pixels.size());
      List<float[]> ordinary = model.embedPixels(Fixtures.directPixels(pixels, 0));
      for (int i = 0; i < got.size(); i++) {
        double diff = Fixtures.maxAbsDiff(want.get(i), got.get(i));
        assertTrue(diff <= 1e-5, "image " + i + ": " + diff);
        assertArrayEquals(ordinary.get(i), got.get(i), "image " + i + ": pinned against ordinary");
      }
      batch.image(2).put(11, Float.NaN);
      ClipException e =
          assertThrows(ClipException.class, () -> model.embedPixels(batch, pixels.size()));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(
          e.getMessage().contains("image 2: its pixels hold NaN at value 11"), e.getMessage());
      batch.image(2).put(11, pixels.get(2)[11]);
      FloatBuffer kept = batch.pixels();
      batch.close();
      List<float[]> unpinned = model.embedPixels(kept);
      for (int i = 0; i < got.size(); i++) assertArrayEquals(got.get(i), unpinned.get(i));
    }
  }
}
