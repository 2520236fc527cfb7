package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.config.CheckpointResolver;
import io.clip4j.config.CheckpointResolver.ResolvedCheckpoint;
import io.clip4j.internal.ClipFacade;
import io.clip4j.internal.NativeModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ClipModel#newPixelBatch(int)}, {@link ClipModel#embedPixels(PixelBatch, int)} and {@link
 * ClipModel#preprocessInto(List, PixelBatch, int)} on the CPU (the GPU's pinned case: {@code
 * CudaRunnerTest}), against open_clip's embeddings of the same image files (vit-tiny, 224 x 224),
 * in native calls of 2 images, so the fixtures span several.
 */
@Tag("native")
class PixelBatchTest {
  private static ClipModel model;
  private static Fixtures.VitTinyImages vit;

  @BeforeAll
  static void load() throws IOException {
    vit = Fixtures.vitTinyImages(2);
    model = vit.model();
    assertTrue(vit.pixels().size() >= 3, "the fixtures span at least two calls");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** A batch with room for one more image than it is asked to embed, filled image by image. */
  private static PixelBatch filled() {
    PixelBatch batch = model.newPixelBatch(vit.pixels().size() + 1);
    for (int i = 0; i < vit.pixels().size(); i++) batch.image(i).put(vit.pixels().get(i));
    return batch;
  }

  @Test
  void aBatchMatchesOpenClipAndTheListPath() {
    try (PixelBatch batch = filled()) {
      assertFalse(batch.pinned(), "nothing to pin for on the CPU");
      assertEquals(3 * 224 * 224, batch.imageFloats());
      List<float[]> got = model.embedPixels(batch, vit.pixels().size());
      List<float[]> viaList = model.embedPixels(vit.pixels());
      assertEquals(vit.want().size(), got.size());
      for (int i = 0; i < got.size(); i++) {
        double diff = Fixtures.maxAbsDiff(vit.want().get(i), got.get(i));
        assertTrue(diff <= 1e-5, "image " + i + ": " + diff + " from open_clip");
        assertArrayEquals(viaList.get(i), got.get(i), "image " + i + ": the same native call");
      }
      // Fewer images than the batch holds: the first ones.
      assertArrayEquals(got.get(0), model.embedPixels(batch, 1).get(0));
    }
  }

  @Test
  void countsOutsideTheBatchAndOtherImageSizesAreRefused() {
    try (PixelBatch batch = filled()) {
      for (int count : new int[] {0, -1, batch.capacity() + 1}) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> model.embedPixels(batch, count));
        assertTrue(e.getMessage().contains("count " + count), e.getMessage());
      }
      assertThrows(IndexOutOfBoundsException.class, () -> batch.image(batch.capacity()));
    }
    FloatBuffer small =
        ByteBuffer.allocateDirect(4 * 3 * 32 * 32).order(ByteOrder.nativeOrder()).asFloatBuffer();
    PixelBatch otherSize = new PixelBatch(small, 1, 32, false);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> model.embedPixels(otherSize, 1));
    assertTrue(e.getMessage().contains("32 x 32; this model takes 224 x 224"), e.getMessage());
    for (int capacity : new int[] {0, 4000}) {
      e = assertThrows(IllegalArgumentException.class, () -> model.newPixelBatch(capacity));
      assertTrue(e.getMessage().contains("1 to 3566 images of 224 x 224"), e.getMessage());
    }
  }

  /** Closed, a batch refuses calls; buffers taken before stay readable memory (the JVM's). */
  @Test
  void aClosedBatchIsRefusedAndItsBuffersStayValid() {
    PixelBatch batch = filled();
    FloatBuffer kept = batch.pixels().limit(vit.pixels().size() * batch.imageFloats());
    List<float[]> before = model.embedPixels(batch, vit.pixels().size());
    batch.close();
    batch.close(); // idempotent
    assertTrue(batch.isClosed());
    assertThrows(IllegalStateException.class, () -> model.embedPixels(batch, 1));
    assertThrows(IllegalStateException.class, batch::pixels);
    List<float[]> after = model.embedPixels(kept);
    for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i));
  }

  /** Image 2 is the first of the second call: its number counts from the batch's first image. */
  @Test
  void aNonFiniteValueIsNamedWithItsImage() {
    try (PixelBatch batch = filled()) {
      batch.image(2).put(5, Float.POSITIVE_INFINITY);
      ClipException e =
          assertThrows(ClipException.class, () -> model.embedPixels(batch, vit.pixels().size()));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(
          e.getMessage().contains("image 2: its pixels hold +infinity at value 5"), e.getMessage());
    }
  }

  /** Decoded and preprocessed in place, from image 1 on: open_clip's pixels, image 0 untouched. */
  @Test
  void filesArePreprocessedIntoTheBatch() throws IOException {
    List<byte[]> files = new ArrayList<>();
    for (Path file : vit.files()) files.add(Files.readAllBytes(file));
    try (PixelBatch batch = model.newPixelBatch(files.size() + 1)) {
      model.preprocessInto(files, batch, 1);
      float[] untouched = new float[batch.imageFloats()];
      batch.image(0).get(untouched);
      assertArrayEquals(new float[batch.imageFloats()], untouched, "image 0 is not written");
      for (int i = 0; i < files.size(); i++) {
        float[] got = new float[batch.imageFloats()];
        batch.image(1 + i).get(got);
        assertArrayEquals(vit.pixels().get(i), got, "image " + i + ": as preprocess() makes it");
      }
      assertThrows(IllegalArgumentException.class, () -> model.preprocessInto(files, batch, 2));
      assertThrows(IllegalArgumentException.class, () -> model.preprocessInto(files, batch, -1));
      ClipException empty =
          assertThrows(
              ClipException.class,
              () -> model.preprocessInto(List.of(files.get(0), new byte[0]), batch, 0));
      assertEquals(ErrorCode.BAD_IMAGE, empty.code());
      assertTrue(empty.getMessage().contains("image 1: image data is empty"), empty.getMessage());
      List<byte[]> withNull = new ArrayList<>(files);
      withNull.set(1, null);
      IllegalArgumentException nullImage =
          assertThrows(
              IllegalArgumentException.class, () -> model.preprocessInto(withNull, batch, 0));
      assertTrue(
          nullImage.getMessage().contains("images must not contain null"), nullImage.getMessage());
      // The third file damaged: named by its place in the list, across native calls of 2.
      List<byte[]> damaged = new ArrayList<>(files);
      damaged.set(2, Arrays.copyOf(files.get(2), 40));
      ClipException e =
          assertThrows(ClipException.class, () -> model.preprocessInto(damaged, batch, 0));
      assertEquals(ErrorCode.BAD_IMAGE, e.code());
      assertTrue(e.getMessage().contains(": image 2: truncated"), e.getMessage());
    }
  }

  /** The C facade's own checks, below the Java API: nulls and sizes named, nothing to pin. */
  @Test
  void theFacadeRefusesMalformedPinRequests() throws IOException {
    ResolvedCheckpoint checkpoint = CheckpointResolver.resolve(Fixtures.path("vit-tiny"), null);
    FloatBuffer memory =
        ByteBuffer.allocateDirect(4 * 16).order(ByteOrder.nativeOrder()).asFloatBuffer();
    try (NativeModel nativeModel =
        NativeModel.load(checkpoint.weights(), checkpoint.config(), ClipOptions.defaults())) {
      IntBuffer pinned = IntBuffer.allocate(1);
      String[][] cases = {{"null buffer", "null"}, {"floats must be positive", "zero"}};
      for (String[] c : cases) {
        ClipException e =
            assertThrows(
                ClipException.class,
                () ->
                    nativeModel.call(
                        (h, error, capacity) ->
                            ClipFacade.clip4j_pin_pixels(
                                h,
                                c[1].equals("null") ? null : memory,
                                c[1].equals("null") ? 16 : 0,
                                pinned,
                                ByteBuffer.wrap(error),
                                capacity)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains(c[0]), e.getMessage());
      }
      assertFalse(nativeModel.pinPixels(memory), "a CPU model pins nothing");
    }
    ClipFacade.clip4j_unpin_pixels((FloatBuffer) null); // ignored
    NativeModel.unpinPixels(memory); // never pinned: ignored
  }

  @Test
  void aClosedModelMakesNoBatch() throws IOException {
    ClipModel closed = ClipModel.load(Fixtures.path("vit-tiny"));
    closed.close();
    assertThrows(IllegalStateException.class, () -> closed.newPixelBatch(1));
  }
}
