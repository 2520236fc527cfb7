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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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
    assertThrows(IllegalArgumentException.class, () -> ClipOptions.builder().threads(-1).build());
    assertEquals(1024, ClipOptions.builder().threads(1024).build().threads());
    assertThrows(IllegalArgumentException.class, () -> ClipOptions.builder().threads(1025).build());
    assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
    assertThrows(IllegalArgumentException.class, () -> Precision.parse("int4"));
  }

  /**
   * Damaged files that Pillow refuses (models/make_decoder_fixtures.py records Pillow's error for
   * each in expected/damaged-images.json), with the problem clip4j names for each. Damaged files
   * Pillow decodes are in PreprocessParityTest, with its pixels as the reference.
   */
  static final Map<String, String> DAMAGED =
      Map.ofEntries(
          Map.entry(
              "jpeg_truncated_header.jpg",
              "truncated JPEG: the data ends inside its headers, before the image data"),
          Map.entry(
              "jpeg_truncated_scan.jpg",
              "truncated JPEG: the data ends before its end-of-image marker"),
          Map.entry(
              "jpeg_no_eoi.jpg", "truncated JPEG: the data ends before its end-of-image marker"),
          Map.entry(
              "jpeg_corrupt_header.jpg",
              "corrupt JPEG: no marker at byte 20, where a segment should begin"),
          Map.entry(
              "jpeg_marker_in_scan.jpg",
              "corrupt JPEG: marker FF93 at byte 1784, which libjpeg refuses when it reads on to the"
                  + " end of the image (Pillow refuses it)"),
          Map.entry("png_signature_only.png", "truncated PNG: the data ends after its signature"),
          Map.entry("png_truncated.png", "truncated PNG: the data ends inside the IDAT chunk"),
          Map.entry(
              "png_corrupt_idat.png", "corrupt PNG: chunk IDAT at byte 33 fails its CRC check"),
          Map.entry(
              "png_text_crc.png",
              "corrupt PNG: chunk tEXt at byte 33 fails its CRC check (Pillow refuses it)"),
          Map.entry(
              "bmp_header_size.bmp", "corrupt BMP: unknown header size 44 (Pillow refuses it)"),
          Map.entry("webp_truncated.webp", "truncated WebP: its header declares"),
          Map.entry("tiff_truncated.tif", "truncated TIFF: its image data runs to byte"),
          Map.entry(
              "tiff_bad_directory.tif",
              "corrupt TIFF: its first directory's offset 16777215 lies outside the data"),
          Map.entry("gif_truncated.gif", "truncated GIF: the data ends inside the first image"),
          Map.entry("gif_corrupt_lzw.gif", "corrupt GIF: broken LZW data in the first image"),
          Map.entry("text.jpg", "bytes are not an image OpenCV can decode (54 bytes, beginning 3C"),
          Map.entry("empty.jpg", "the file is empty"));

  @Test
  void everyDamagedFixtureIsOneThatPillowRefusesAndIsTested() throws IOException {
    Set<String> files;
    try (Stream<Path> list = Files.list(Fixtures.IMAGES.resolve("damaged"))) {
      files = list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    Set<String> refusedByPillow = new HashSet<>();
    Fixtures.expected("damaged-images").fieldNames().forEachRemaining(refusedByPillow::add);
    assertEquals(files, refusedByPillow);
    assertEquals(files, DAMAGED.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("damagedFiles")
  void damagedFilesAreRefusedNamingTheProblemAndTheModelKeepsWorking(String file)
      throws IOException {
    Path path = Fixtures.IMAGES.resolve("damaged").resolve(file);
    ClipException e = assertThrows(ClipException.class, () -> model.embedImage(path));
    assertEquals(ErrorCode.BAD_IMAGE, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(DAMAGED.get(file)), e.getMessage());
    assertEquals(32, model.embedImage(Fixtures.IMAGES.resolve("rocket.jpg")).length);
  }

  static Stream<String> damagedFiles() {
    return DAMAGED.keySet().stream().sorted();
  }

  /**
   * Pillow decodes CMYK JPEGs (Adobe's inverted CMYK, and YCCK), but clip4j cannot give the pixels
   * it gives open_clip: OpenCV converts CMYK to RGB with other rounding and hides the CMYK values,
   * and open_clip resizes in CMYK before converting (up to 11 levels apart on these fixtures).
   */
  @ParameterizedTest
  @ValueSource(strings = {"chelsea_cmyk.jpg", "chelsea_ycck.jpg"})
  void cmykJpegsAreRefusedByName(String name) {
    ClipException e =
        assertThrows(ClipException.class, () -> model.embedImage(Fixtures.IMAGES.resolve(name)));
    assertEquals(ErrorCode.BAD_IMAGE, e.code());
    assertTrue(e.getMessage().contains("CMYK JPEG"), e.getMessage());
    assertTrue(e.getMessage().contains("convert it to RGB first"), e.getMessage());
    assertEquals(32, model.embedImage(Fixtures.IMAGES.resolve("rocket.jpg")).length);
  }

  @Test
  void emptyBytesAndMissingFilesAreRefusedInJava() {
    ClipException empty = assertThrows(ClipException.class, () -> model.embedImage(new byte[0]));
    assertEquals(ErrorCode.BAD_IMAGE, empty.code());
    assertTrue(empty.getMessage().contains("image data is empty"), empty.getMessage());
    ClipException missing =
        assertThrows(ClipException.class, () -> model.embedImage(dir.resolve("nope.jpg")));
    assertEquals(ErrorCode.IO_ERROR, missing.code());
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

  /** Lists longer than the batch size run as several native calls; the index is the list's. */
  @Test
  void aBadImageInALaterBatchIsNamedByItsPositionInTheList() throws IOException {
    byte[] good = Files.readAllBytes(Fixtures.IMAGES.resolve("rocket.jpg"));
    try (ClipModel batched =
        ClipModel.load(Fixtures.path("vit-tiny"), ClipOptions.builder().batchSize(2).build())) {
      ClipException e =
          assertThrows(
              ClipException.class,
              () -> batched.embedEncodedImages(List.of(good, good, good, "junk".getBytes(), good)));
      assertEquals(ErrorCode.BAD_IMAGE, e.code());
      assertTrue(e.getMessage().startsWith("BAD_IMAGE: image 3: "), e.getMessage());
    }
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
