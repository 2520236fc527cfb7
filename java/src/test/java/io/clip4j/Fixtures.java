package io.clip4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Paths to the committed fixtures (models/fixtures, made by models/make_fixtures.py). */
final class Fixtures {
  static final Path ROOT =
      Path.of(System.getProperty("clip4j.repo", ".")).resolve("models/fixtures");
  static final Path IMAGES = ROOT.resolve("images");
  static final Path EXPECTED = ROOT.resolve("expected");

  private Fixtures() {}

  /**
   * Whether /proc/cpuinfo lists AVX2 and FMA (what the packed CPU kernels need); false elsewhere.
   */
  static boolean cpuHasAvx2AndFma() {
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("flags"))
          .findFirst()
          .map(l -> List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))
          .map(flags -> flags.contains("avx2") && flags.contains("fma"))
          .orElse(false);
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static JsonNode expected(String checkpoint) {
    try {
      return new ObjectMapper().readTree(EXPECTED.resolve(checkpoint + ".json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The fixture images of an expected-output file and their reference embeddings ({@code
   * "normalized"} or {@code "raw"}), in the file's order.
   */
  static Map<Path, float[]> expectedImageEmbeddings(JsonNode expected, String key) {
    Map<Path, float[]> images = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("images").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      images.put(IMAGES.resolve(e.getKey()), floats(e.getValue().get(key)));
    }
    return images;
  }

  /**
   * vit-tiny loaded with normalised embeddings in native calls of {@code batchSize} images,
   * open_clip's embeddings of the fixture images and those images as the model preprocesses them,
   * in order.
   */
  record VitTinyImages(
      ClipModel model, List<Path> files, List<float[]> want, List<float[]> pixels) {}

  static VitTinyImages vitTinyImages(int batchSize) throws IOException {
    ClipModel model =
        ClipModel.load(
            path("vit-tiny"), ClipOptions.builder().normalize(true).batchSize(batchSize).build());
    Map<Path, float[]> expected = expectedImageEmbeddings(expected("vit-tiny"), "normalized");
    return new VitTinyImages(
        model,
        new ArrayList<>(expected.keySet()),
        new ArrayList<>(expected.values()),
        preprocessed(model, expected.keySet()));
  }

  /** Each file preprocessed by {@code model}, in order. */
  static List<float[]> preprocessed(ClipModel model, Iterable<Path> files) throws IOException {
    List<float[]> pixels = new ArrayList<>();
    for (Path file : files) pixels.add(model.preprocess(Files.readAllBytes(file)));
    return pixels;
  }

  /**
   * The images back to back in a direct buffer in native order, after {@code skipped} other floats;
   * its position on the first image.
   */
  static FloatBuffer directPixels(List<float[]> images, int skipped) {
    int total = skipped + images.stream().mapToInt(image -> image.length).sum();
    FloatBuffer buffer =
        ByteBuffer.allocateDirect(Float.BYTES * total)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    buffer.position(skipped);
    for (float[] image : images) buffer.put(image);
    return buffer.position(skipped);
  }

  static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }
}
