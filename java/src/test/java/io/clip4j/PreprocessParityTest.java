package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Preprocessed pixels equal the reference pipelines exactly: the 8-bit image after resize, crop and
 * RGB conversion (saved by models/make_fixtures.py and models/make_decoder_fixtures.py) for JPEG,
 * PNG (grey, alpha, palette, 16-bit), WebP, BMP and TIFF files, the first frame of animated GIFs
 * (palette, transparency, offset and interlaced frames, grey palette) and WebPs (alpha, offset
 * frame), damaged files that Pillow still decodes, and the normalised floats bit for bit.
 * open_clip's PIL pipeline for open_clip checkpoints (expected/crops-224); transformers'
 * CLIPImageProcessor with its PIL backend for Hugging Face folders (expected/crops-hf).
 */
@Tag("native")
class PreprocessParityTest {
  private static ClipModel model;
  private static ClipModel huggingFace;

  @BeforeAll
  static void load() {
    model = ClipModel.load(Fixtures.path("vit-tiny"));
    huggingFace = ClipModel.load(Fixtures.path("hf-tiny"));
  }

  @AfterAll
  static void close() {
    model.close();
    huggingFace.close();
  }

  /** (crops folder, image): crops-224 is open_clip's pipeline, crops-hf transformers' PIL one. */
  static Stream<Arguments> images() throws IOException {
    List<Arguments> out = new java.util.ArrayList<>();
    for (String crops : List.of("crops-224", "crops-hf")) {
      try (Stream<Path> files = Files.list(Fixtures.EXPECTED.resolve(crops))) {
        files
            .map(p -> p.getFileName().toString().replaceFirst("\\.png$", ""))
            .sorted()
            .forEach(image -> out.add(Arguments.of(crops, image)));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("images")
  void pixelsEqualTheReference(String crops, String image) throws IOException {
    ClipModel m = crops.equals("crops-hf") ? huggingFace : model;
    float[] pixels = m.preprocess(Files.readAllBytes(Fixtures.IMAGES.resolve(image)));
    BufferedImage expected =
        ImageIO.read(Fixtures.EXPECTED.resolve(crops).resolve(image + ".png").toFile());
    int size = m.info().imageSize();
    assertEquals(size, expected.getWidth());
    float[] mean = m.info().mean();
    float[] std = m.info().std();
    int differing = 0;
    int worst = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int rgb = expected.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
          int want = (rgb >> (16 - 8 * c)) & 0xff;
          int got = Math.round((pixels[c * size * size + y * size + x] * std[c] + mean[c]) * 255f);
          if (got != want) {
            differing++;
            worst = Math.max(worst, Math.abs(got - want));
          }
        }
      }
    }
    assertEquals(
        0,
        differing,
        image + ": " + differing + " channel values differ, by up to " + worst + " levels");
  }

  @Test
  void huggingFaceFloatsAreBitIdentical() throws IOException {
    float[] expected = readNpy(Fixtures.EXPECTED.resolve("hf-astronaut-224.npy"));
    float[] actual =
        huggingFace.preprocess(Files.readAllBytes(Fixtures.IMAGES.resolve("astronaut.jpg")));
    assertArrayEquals(expected, actual, 0f);
  }

  @Test
  void normalisedFloatsAreBitIdentical() throws IOException {
    float[] expected = readNpy(Fixtures.EXPECTED.resolve("astronaut-224.npy"));
    float[] actual = model.preprocess(Files.readAllBytes(Fixtures.IMAGES.resolve("astronaut.jpg")));
    assertArrayEquals(expected, actual, 0f);
  }

  @Test
  void bufferedImageAndRawRgbGiveTheFileEmbedding() throws IOException {
    Path file = Fixtures.IMAGES.resolve("chelsea.png");
    BufferedImage image = ImageIO.read(file.toFile());
    float[] fromFile = model.embedImage(file);
    float[] fromImage = model.embedImage(image);
    RgbImage rgb = RgbImage.of(image);
    float[] fromRgb = model.embedRgb(rgb.pixels(), rgb.width(), rgb.height());
    assertArrayEquals(fromFile, fromImage, 1e-6f);
    assertArrayEquals(fromFile, fromRgb, 1e-6f);
  }

  /**
   * A 1,000,000 x 1 strip (a 3 KB PNG) resized to a shorter side of 224 would be 224,000,000 x 224
   * pixels, 150 GB: only the centre crop is resized (the strip fixtures check its pixels against
   * Pillow's), so it costs what any image does. One colour throughout, resized, is that colour.
   */
  @Test
  void aLongStripResizesOnlyItsCrop() throws IOException {
    BufferedImage strip = new BufferedImage(1_000_000, 1, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < strip.getWidth(); x++) strip.setRGB(x, 0, 0x3366cc);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(strip, "png", png);
    float[] pixels = model.preprocess(png.toByteArray());
    float[] mean = model.info().mean();
    float[] std = model.info().std();
    int plane = pixels.length / 3;
    for (int c = 0; c < 3; c++) {
      int want = (0x3366cc >> (16 - 8 * c)) & 0xff;
      for (int i = 0; i < plane; i++) {
        assertEquals(want, Math.round((pixels[c * plane + i] * std[c] + mean[c]) * 255f));
      }
    }
    // One pixel longer, libpng (in OpenCV) refuses the PNG, which Pillow reads: named as such.
    BufferedImage longer = new BufferedImage(1_000_001, 1, BufferedImage.TYPE_INT_RGB);
    png.reset();
    ImageIO.write(longer, "png", png);
    ClipException tooWide =
        assertThrows(ClipException.class, () -> model.preprocess(png.toByteArray()));
    assertTrue(
        tooWide.getMessage().contains("OpenCV's libpng reads at most 1000000 pixels a side"),
        tooWide.getMessage());
    // As raw pixels, longer still, the resized side would pass Pillow's (and clip4j's) int sizes.
    ClipException e =
        assertThrows(
            ClipException.class, () -> model.embedRgb(new byte[3 * 10_000_000], 10_000_000, 1));
    assertEquals(ErrorCode.BAD_IMAGE, e.code());
    assertTrue(e.getMessage().contains("more than Pillow resizes to"), e.getMessage());
  }

  @Test
  void batchesGiveTheSameEmbeddingsAsSingleCalls() {
    List<Path> files =
        List.of(Fixtures.IMAGES.resolve("rocket.jpg"), Fixtures.IMAGES.resolve("coffee.webp"));
    List<float[]> batch = model.embedImageFiles(files);
    for (int i = 0; i < files.size(); i++) {
      assertTrue(Fixtures.maxAbsDiff(batch.get(i), model.embedImage(files.get(i))) <= 1e-6);
    }
  }

  /** A minimal reader for the little-endian float32 .npy files numpy.save writes. */
  static float[] readNpy(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    int headerLength = (bytes[8] & 0xff) | ((bytes[9] & 0xff) << 8);
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'<f4'"), "expected float32 data: " + header);
    ByteBuffer data =
        ByteBuffer.wrap(bytes, 10 + headerLength, bytes.length - 10 - headerLength)
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[data.remaining() / 4];
    data.asFloatBuffer().get(out);
    return out;
  }
}
