package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ClipModel#embedPixels(FloatBuffer)}: a direct buffer read in place, split into native
 * calls of the batch size (2 here, so the fixture images span several), against open_clip's
 * embeddings of the same image files (vit-tiny, 224 x 224).
 */
@Tag("native")
class PixelBufferTest {
  private static final int SKIPPED = 7; // floats before the images: the buffer's position

  private static ClipModel model;
  private static List<float[]> want;
  private static List<float[]> pixels;
  private static int size;

  @BeforeAll
  static void load() throws IOException {
    Fixtures.VitTinyImages images = Fixtures.vitTinyImages(2);
    model = images.model();
    want = images.want();
    pixels = images.pixels();
    size = pixels.get(0).length;
    assertTrue(pixels.size() >= 3, "the fixtures span at least two calls");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** The images after SKIPPED other floats, the buffer's position on the first image. */
  private static FloatBuffer direct(List<float[]> images) {
    return Fixtures.directPixels(images, SKIPPED);
  }

  @Test
  void aDirectBufferMatchesOpenClipAndTheListPath() {
    FloatBuffer buffer = direct(pixels);
    List<float[]> got = model.embedPixels(buffer);
    assertEquals(SKIPPED, buffer.position(), "the position is left as it was");
    List<float[]> viaList = model.embedPixels(pixels);
    assertEquals(want.size(), got.size());
    for (int i = 0; i < got.size(); i++) {
      double diff = Fixtures.maxAbsDiff(want.get(i), got.get(i));
      assertTrue(diff <= 1e-5, "image " + i + ": " + diff + " from open_clip");
      assertArrayEquals(viaList.get(i), got.get(i), "image " + i + ": the same native call");
    }
  }

  /** Read-only and byte-buffer views: direct or not, the same embeddings. */
  @Test
  void readOnlyAndViewBuffersGiveTheSame() {
    List<float[]> viaDirect = model.embedPixels(direct(pixels));
    ByteBuffer bytes = ByteBuffer.allocate(4 * pixels.size() * size).order(ByteOrder.nativeOrder());
    FloatBuffer heapView = bytes.asFloatBuffer();
    for (float[] image : pixels) heapView.put(image);
    for (FloatBuffer buffer :
        List.of(direct(pixels).asReadOnlyBuffer(), heapView.flip(), heapView.asReadOnlyBuffer())) {
      List<float[]> got = model.embedPixels(buffer);
      for (int i = 0; i < got.size(); i++) {
        assertArrayEquals(viaDirect.get(i), got.get(i), buffer + " image " + i);
      }
    }
  }

  @Test
  void aHeapBufferGivesTheSame() {
    float[] flat = new float[SKIPPED + pixels.size() * size];
    for (int i = 0; i < pixels.size(); i++) {
      System.arraycopy(pixels.get(i), 0, flat, SKIPPED + i * size, size);
    }
    List<float[]> got = model.embedPixels(FloatBuffer.wrap(flat, SKIPPED, pixels.size() * size));
    List<float[]> viaDirect = model.embedPixels(direct(pixels));
    for (int i = 0; i < got.size(); i++) assertArrayEquals(viaDirect.get(i), got.get(i));
  }

  /** Image 2 is the first of the second call: its number counts from the buffer's first image. */
  @Test
  void aNonFiniteValueIsNamedWithItsImage() {
    FloatBuffer buffer = direct(pixels.subList(0, 3));
    buffer.put(SKIPPED + 2 * size + 5, Float.NaN);
    ClipException e = assertThrows(ClipException.class, () -> model.embedPixels(buffer));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("image 2: its pixels hold NaN at value 5"), e.getMessage());
  }

  @Test
  void partialImagesAndForeignByteOrderAreRefused() {
    FloatBuffer partial = direct(pixels.subList(0, 1)).limit(SKIPPED + size - 1);
    assertThrows(IllegalArgumentException.class, () -> model.embedPixels(partial));
    FloatBuffer empty = direct(pixels.subList(0, 1)).limit(SKIPPED);
    assertThrows(IllegalArgumentException.class, () -> model.embedPixels(empty));
    ByteOrder foreign =
        ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
            ? ByteOrder.BIG_ENDIAN
            : ByteOrder.LITTLE_ENDIAN;
    FloatBuffer swapped = ByteBuffer.allocateDirect(4 * size).order(foreign).asFloatBuffer();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> model.embedPixels(swapped));
    assertTrue(e.getMessage().contains("ByteOrder.nativeOrder()"), e.getMessage());
  }
}
