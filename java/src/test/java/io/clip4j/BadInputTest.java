package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad arguments fail in Java before any native call; bad images fail cleanly and leave the model
 * usable.
 */
@Tag("native")
class BadInputTest {
  private static ClipModel model;
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    model = ClipModel.load(Fixtures.path("vit-tiny"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void invalidArgumentsAreRejectedInJava() {
    assertThrows(IllegalArgumentException.class, () -> model.embedTexts(List.of()));
    assertThrows(IllegalArgumentException.class, () -> model.embedText(null));
    assertThrows(IllegalArgumentException.class, () -> model.embedTexts(Arrays.asList("a", null)));
    assertThrows(IllegalArgumentException.class, () -> model.embedImageFiles(List.of()));
    assertThrows(
        IllegalArgumentException.class, () -> model.embedTokens(new long[][] {new long[5]}));
    long[] outOfVocabulary = new long[77];
    outOfVocabulary[1] = 49408;
    assertThrows(
        IllegalArgumentException.class, () -> model.embedTokens(new long[][] {outOfVocabulary}));
    assertThrows(IllegalArgumentException.class, () -> model.embedRgb(new byte[10], 2, 2));
    assertThrows(IllegalArgumentException.class, () -> model.embedRgb(new byte[0], 0, 0));
    assertThrows(IllegalArgumentException.class, () -> model.embedPixels(List.of(new float[3])));
    assertThrows(IllegalArgumentException.class, () -> ClipOptions.builder().batchSize(0).build());
    assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
    assertThrows(IllegalArgumentException.class, () -> Precision.parse("int4"));
  }

  @Test
  void undecodableImagesThrowAndTheModelKeepsWorking() throws IOException {
    byte[] jpeg = Files.readAllBytes(Fixtures.IMAGES.resolve("rocket.jpg"));
    List<byte[]> bad = new ArrayList<>();
    bad.add("not an image at all".getBytes());
    bad.add(Arrays.copyOf(jpeg, 200));
    bad.add(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    byte[] corrupt = jpeg.clone();
    Arrays.fill(corrupt, 20, 2000, (byte) 0x55);
    bad.add(corrupt);
    for (byte[] b : bad) {
      try {
        model.embedImage(b);
      } catch (ClipException e) {
        assertEquals(ErrorCode.BAD_IMAGE, e.code(), e.getMessage());
      }
    }
    ClipException empty = assertThrows(ClipException.class, () -> model.embedImage(new byte[0]));
    assertEquals(ErrorCode.BAD_IMAGE, empty.code());
    ClipException missing =
        assertThrows(ClipException.class, () -> model.embedImage(dir.resolve("nope.jpg")));
    assertEquals(ErrorCode.IO_ERROR, missing.code());
    assertEquals(32, model.embedImage(jpeg).length);
  }

  @Test
  void aBadImageInABatchIsNamedByItsPosition() throws IOException {
    byte[] good = Files.readAllBytes(Fixtures.IMAGES.resolve("rocket.jpg"));
    ClipException e =
        assertThrows(
            ClipException.class,
            () -> model.embedEncodedImages(List.of(good, good, "junk".getBytes())));
    assertEquals(ErrorCode.BAD_IMAGE, e.code());
    assertTrue(e.getMessage().contains("image 2:"), e.getMessage());
  }

  @Test
  void tinyAndExtremeImagesAreEmbedded() {
    byte[] onePixel = {(byte) 200, 100, 50};
    assertEquals(32, model.embedRgb(onePixel, 1, 1).length);
    byte[] line = new byte[3 * 4000];
    assertEquals(32, model.embedRgb(line, 4000, 1).length);
    assertEquals(32, model.embedRgb(line, 1, 4000).length);
  }

  @Test
  void imagesOverThePixelLimitAreRejected() {
    try (ClipModel limited =
        ClipModel.load(
            Fixtures.path("vit-tiny"), ClipOptions.builder().maxImagePixels(10_000).build())) {
      ClipException e =
          assertThrows(
              ClipException.class, () -> limited.embedImage(Fixtures.IMAGES.resolve("rocket.jpg")));
      assertEquals(ErrorCode.BAD_IMAGE, e.code());
      assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }
  }

  @Test
  void oddTextsGiveDefinedResults() {
    List<String> texts =
        List.of(
            "",
            "   \t\n",
            "x".repeat(1_000_000),
            "\uD800 lone surrogate",
            "\u0000\u0007 control",
            "مرحبا بالعالم",
            "👩‍👩‍👧‍👦🏳️‍🌈");
    List<float[]> embeddings = model.embedTexts(texts);
    for (float[] e : embeddings) {
      double norm = 0;
      for (float v : e) {
        assertTrue(Float.isFinite(v));
        norm += v * v;
      }
      assertEquals(1.0, Math.sqrt(norm), 1e-5);
    }
  }
}
