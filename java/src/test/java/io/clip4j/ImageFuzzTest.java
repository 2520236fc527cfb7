package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzing the image path: any bytes given to {@link ClipModel#embedImage(byte[])} either embed (a
 * finite, unit-length vector) or throw {@link ClipException} with {@link ErrorCode#BAD_IMAGE}. Any
 * other exception, or a crash of the JVM, is a finding.
 *
 * <p>{@code mvn verify} runs each target on its seeds only (regression mode); {@code scripts/fuzz}
 * fuzzes one target for a while (see the README).
 */
@Tag("native")
class ImageFuzzTest {
  /** Small enough that a fuzzed header declaring a large image costs milliseconds, not seconds. */
  private static final long MAX_PIXELS = 1L << 22;

  private static final int FEEDBACK_ID = 0x1a6e;

  private static ClipModel model;
  private static List<byte[]> fixtures;

  @BeforeAll
  static void load() throws IOException {
    model =
        ClipModel.load(
            Fixtures.path("vit-tiny"), ClipOptions.builder().maxImagePixels(MAX_PIXELS).build());
    try (Stream<Path> files = Files.list(Fixtures.IMAGES)) {
      fixtures =
          files
              .filter(Files::isRegularFile) // not the damaged/ folder
              .filter(f -> !f.getFileName().toString().endsWith(".md"))
              .sorted()
              .map(ImageFuzzTest::read)
              .filter(ImageFuzzTest::embedsIntact) // not CMYK JPEGs, refused on purpose
              .toList();
    }
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /**
   * Raw bytes, seeded with the fixture photos shrunk to 12x9 in every format (ImageFuzzTestInputs).
   */
  @FuzzTest(maxDuration = "30s")
  void encodedBytes(byte[] encoded) {
    embedsOrIsBadImage(encoded);
  }

  /**
   * A fixture photo (JPEG, PNG in five modes, BMP, WebP, TIFF) with up to eight edits: bytes
   * overwritten, header fields set to extreme values, truncation, blocks inserted, removed or
   * copied. Half of the time it goes second in a batch after an intact image, which must embed as
   * alone or fail the batch naming image 1.
   */
  @FuzzTest(maxDuration = "30s")
  void editedFixtures(FuzzedDataProvider data) {
    byte[] original = data.pickValue(fixtures);
    byte[] edited = FuzzEdits.edit(original, data, 8, 1024);
    if (!data.consumeBoolean()) {
      embedsOrIsBadImage(edited);
      return;
    }
    try {
      List<float[]> both = model.embedEncodedImages(List.of(original, edited));
      assertEquals(2, both.size());
      both.forEach(ImageFuzzTest::assertUnitLength);
    } catch (ClipException e) {
      FuzzFeedback.outcome(e.getMessage(), FEEDBACK_ID);
      assertEquals(ErrorCode.BAD_IMAGE, e.code(), e.getMessage());
      assertTrue(e.getMessage().contains("image 1:"), e.getMessage());
    }
  }

  /** Whether an unedited fixture embeds: the batch case needs an intact first image. */
  private static boolean embedsIntact(byte[] encoded) {
    try {
      model.embedImage(encoded);
      return true;
    } catch (ClipException e) {
      return false;
    }
  }

  private static void embedsOrIsBadImage(byte[] encoded) {
    float[] embedding;
    try {
      embedding = model.embedImage(encoded);
    } catch (ClipException e) {
      FuzzFeedback.outcome(e.getMessage(), FEEDBACK_ID);
      assertEquals(ErrorCode.BAD_IMAGE, e.code(), e.getMessage());
      return;
    }
    // The first byte tells the container (PNG, JPEG, BMP, RIFF, GIF, TIFF).
    FuzzFeedback.outcome("ok " + (char) (encoded[0] & 0xff), FEEDBACK_ID);
    assertUnitLength(embedding);
  }

  private static void assertUnitLength(float[] embedding) {
    assertEquals(32, embedding.length);
    double norm = 0;
    for (float v : embedding) {
      assertTrue(Float.isFinite(v), "non-finite embedding");
      norm += v * v;
    }
    assertEquals(1.0, Math.sqrt(norm), 1e-4);
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
