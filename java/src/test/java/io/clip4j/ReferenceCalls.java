package io.clip4j;

import io.clip4j.apps.ZeroShotClassifier;
import io.clip4j.apps.ZeroShotClassifier.Prediction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A model's calls with the results they give on one thread, for tests that make the same calls from
 * many threads at once: image bytes, texts, lists of both, zero-shot classification and the
 * building of a classifier. Every result is a {@code float[][]} so all compare alike.
 */
final class ReferenceCalls {
  static final List<String> IMAGES =
      List.of("astronaut.jpg", "chelsea_alpha.png", "camera_grey.jpg", "coffee.webp", "horse.png");
  static final List<String> TEXTS =
      List.of("a photo of a cat", "a rocket on its launch pad", "", "東京の夜景 🚀");
  private static final List<String> LABELS = List.of("cat", "rocket", "coffee", "horse", "camera");
  private static final List<String> TEMPLATES = List.of("a photo of a {}.", "a {} in a picture");

  /**
   * One call and its single-threaded result.
   *
   * @param name what it does, for messages
   * @param run makes the call
   * @param expected what {@code run} returned on one thread before any other call
   */
  record Call(String name, Supplier<float[][]> run, float[][] expected) {}

  private ReferenceCalls() {}

  /** The calls on {@code model}, each run once here for its expected result. */
  static List<Call> of(ClipModel model) {
    List<byte[]> images = IMAGES.stream().map(ReferenceCalls::image).toList();
    ZeroShotClassifier classifier = ZeroShotClassifier.build(model, LABELS, TEMPLATES);
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      byte[] bytes = images.get(i);
      calls.add(call("image " + IMAGES.get(i), () -> new float[][] {model.embedImage(bytes)}));
      calls.add(
          call(
              "classify " + IMAGES.get(i),
              () -> predictions(classifier.classify(model.embedImage(bytes), 3))));
    }
    for (String text : TEXTS) {
      calls.add(call("text '" + text + "'", () -> new float[][] {model.embedText(text)}));
    }
    calls.add(call("texts x4", () -> model.embedTexts(TEXTS).toArray(float[][]::new)));
    calls.add(call("images x5", () -> model.embedEncodedImages(images).toArray(float[][]::new)));
    calls.add(
        call(
            "build classifier",
            () -> {
              ZeroShotClassifier built = ZeroShotClassifier.build(model, LABELS, TEMPLATES);
              float[][] out = new float[LABELS.size()][];
              for (int c = 0; c < out.length; c++) {
                out[c] = built.classEmbedding(c);
              }
              return out;
            }));
    return calls;
  }

  /**
   * The largest absolute difference between two results; infinite when their shapes differ, NaN
   * when either holds a NaN.
   */
  static double maxDiff(float[][] a, float[][] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i].length != b[i].length) {
        return Double.POSITIVE_INFINITY;
      }
      for (int j = 0; j < a[i].length; j++) {
        double d = Math.abs((double) a[i][j] - b[i][j]);
        if (Double.isNaN(d)) {
          return Double.NaN;
        }
        max = Math.max(max, d);
      }
    }
    return max;
  }

  /** Whether {@code result} matches the call's single-threaded result within 1e-6. */
  static boolean matches(Call call, float[][] result) {
    return maxDiff(call.expected(), result) <= 1e-6;
  }

  private static Call call(String name, Supplier<float[][]> run) {
    return new Call(name, run, run.get());
  }

  /** Each prediction as {label index, score, cosine}. */
  private static float[][] predictions(List<Prediction> predictions) {
    return predictions.stream()
        .map(p -> new float[] {p.index(), p.score(), p.cosine()})
        .toArray(float[][]::new);
  }

  private static byte[] image(String name) {
    try {
      return Files.readAllBytes(Fixtures.IMAGES.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
