package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    ClipException empty =
        assertThrows(
            ClipException.class, () -> model.embedEncodedImages(List.of(good, new byte[0])));
    assertTrue(empty.getMessage().endsWith("image 1: image data is empty"), empty.getMessage());
  }

  @Test
  void tinyAndExtremeImagesAreEmbedded() {
    byte[] onePixel = {(byte) 200, 100, 50};
    assertEquals(32, model.embedRgb(onePixel, 1, 1).length);
    byte[] line = new byte[3 * 4000];
    assertEquals(32, model.embedRgb(line, 4000, 1).length);
    assertEquals(32, model.embedRgb(line, 1, 4000).length);
  }

  /**
   * The pixel limit is checked on the size the header declares, before decoding, in every format
   * clip4j sniffs; the expected sizes come from the JDK's own ImageIO readers.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "rocket.jpg",
        "camera_grey.jpg",
        "chelsea.png",
        "chelsea_small.bmp",
        "coffee_small.tiff"
      })
  void imagesOverThePixelLimitAreRejectedBeforeDecoding(String name) throws IOException {
    Path file = Fixtures.IMAGES.resolve(name);
    BufferedImage reference = ImageIO.read(file.toFile());
    try (ClipModel limited =
        ClipModel.load(
            Fixtures.path("vit-tiny"), ClipOptions.builder().maxImagePixels(10_000).build())) {
      ClipException e = assertThrows(ClipException.class, () -> limited.embedImage(file));
      assertEquals(ErrorCode.BAD_IMAGE, e.code());
      String declared = reference.getWidth() + "x" + reference.getHeight() + " pixels";
      assertTrue(e.getMessage().contains("declares " + declared), e.getMessage());
      assertTrue(e.getMessage().contains("not decoded"), e.getMessage());
    }
  }

  /** A 60-byte PNG declaring 100,000 x 100,000 pixels and WebP's three headers. */
  @Test
  void decompressionBombsAreRefusedFromTheirHeaders() {
    ByteBuffer png = ByteBuffer.allocate(45);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    png.putInt(13).put("IHDR".getBytes()).putInt(100_000).putInt(100_000);
    png.put(new byte[] {8, 2, 0, 0, 0}).putInt(0).putInt(0).put("IDAT".getBytes());
    ClipException e = assertThrows(ClipException.class, () -> model.embedImage(png.array()));
    assertEquals(ErrorCode.BAD_IMAGE, e.code());
    assertTrue(e.getMessage().contains("declares 100000x100000 pixels"), e.getMessage());

    // VP8X (extended) canvas: 24-bit width-1 and height-1 at bytes 24 and 27.
    ByteBuffer vp8x = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    vp8x.put("RIFF".getBytes()).putInt(32).put("WEBPVP8X".getBytes()).putInt(10).putInt(0);
    vp8x.put(new byte[] {(byte) 0x3F, 0x42, 0x0F, (byte) 0x3F, 0x42, 0x0F}); // 999,999 + 1 each
    e = assertThrows(ClipException.class, () -> model.embedImage(vp8x.array()));
    assertTrue(e.getMessage().contains("declares 1000000x1000000 pixels"), e.getMessage());
    assertEquals(32, model.embedImage(Fixtures.IMAGES.resolve("coffee.webp")).length);
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
