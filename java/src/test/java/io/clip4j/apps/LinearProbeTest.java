package io.clip4j.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's logistic regression reaches the exact minimiser of its objective (SciPy's L-BFGS to a
 * gradient norm of 1e-12) within 1e-5 in every class probability, and scikit-learn's
 * LogisticRegression (multinomial, L2, lbfgs, C = 1 / (lambda n)) within 2e-3, for weak to strong
 * penalties (models/make_probe_fixture.py); the probe saves, loads and reports correctly.
 */
class LinearProbeTest {
  private static final Path FIXTURE =
      Path.of(
          System.getProperty("clip4j.repo", "."),
          "models/fixtures/expected/logistic_regression.json");
  @TempDir Path dir;

  private static float[][] matrix(JsonNode rows) {
    float[][] out = new float[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new float[rows.get(i).size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (float) rows.get(i).get(j).asDouble();
      }
    }
    return out;
  }

  /** The fixture's samples and labels. */
  private record Data(JsonNode fixture, float[][] x, int[] y) {
    static Data load() throws IOException {
      JsonNode fixture = new ObjectMapper().readTree(FIXTURE.toFile());
      float[][] x = matrix(fixture.get("x"));
      int[] y = new int[x.length];
      for (int i = 0; i < y.length; i++) {
        y[i] = fixture.get("y").get(i).asInt();
      }
      return new Data(fixture, x, y);
    }
  }

  @Test
  void probabilitiesEqualTheExactOptimumAndScikitLearn() throws IOException {
    Data data = Data.load();
    float[][] queries = matrix(data.fixture().get("queries"));
    for (JsonNode fit : data.fixture().get("fits")) {
      SoftmaxRegression model =
          SoftmaxRegression.fit(data.x(), data.y(), 4, fit.get("lambda").asDouble(), 5000);
      for (int q = 0; q < queries.length; q++) {
        double[] p = model.probabilities(queries[q]);
        for (int c = 0; c < 4; c++) {
          assertEquals(
              fit.get("probabilities").get(q).get(c).asDouble(),
              p[c],
              1e-5,
              "exact optimum, C=" + fit.get("C") + " query " + q);
          assertEquals(
              fit.get("sklearn_probabilities").get(q).get(c).asDouble(),
              p[c],
              2e-3,
              "scikit-learn, C=" + fit.get("C") + " query " + q);
        }
      }
    }
  }

  @Test
  void trainsSavesLoadsAndReports() throws IOException {
    Data data = Data.load();
    float[][] x = data.x();
    int[] y = data.y();
    List<String> log = new ArrayList<>();
    LinearProbe probe =
        LinearProbe.train(List.of("a", "b", "c", "d"), "test", x, y, 0.2, 500, log::add);
    assertEquals(LinearProbe.LAMBDAS.length, log.size());
    ClassificationMetrics metrics = probe.evaluate(x, y);
    assertTrue(metrics.accuracy() > 0.8, "training accuracy " + metrics.accuracy());
    assertEquals(x.length, metrics.total());
    Path file = dir.resolve("probe.json");
    probe.save(file);
    LinearProbe loaded = LinearProbe.load(file);
    for (float[] sample : x) {
      assertEquals(probe.predict(sample), loaded.predict(sample));
    }
    assertThrows(IllegalArgumentException.class, () -> loaded.predict(new float[3]));
    Files.writeString(file, "{\"format\": \"something else\"}");
    assertThrows(IOException.class, () -> LinearProbe.load(file));
  }

  @Test
  void metricsFollowTheirDefinitions() {
    // truth:     0 0 1 1 1 2
    // predicted: 0 1 1 1 0 2
    ClassificationMetrics m =
        ClassificationMetrics.of(
            List.of("x", "y", "z"), new int[] {0, 0, 1, 1, 1, 2}, new int[] {0, 1, 1, 1, 0, 2});
    assertEquals(4 / 6.0, m.accuracy(), 1e-12);
    assertEquals(0.5, m.precision(0), 1e-12); // predicted 0 twice, right once
    assertEquals(0.5, m.recall(0), 1e-12);
    assertEquals(2 / 3.0, m.precision(1), 1e-12);
    assertEquals(2 / 3.0, m.recall(1), 1e-12);
    assertEquals(1.0, m.f1(2), 1e-12);
    assertEquals(1, m.confusion()[1][0]);
  }

  /** XOR of two coordinates: no linear classifier does better than chance, a small MLP does. */
  @Test
  void theMlpOptionLearnsWhatALinearProbeCannot() throws IOException {
    java.util.Random random = new java.util.Random(3);
    int n = 800;
    float[][] x = new float[n][];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      float a = random.nextFloat() * 2 - 1;
      float b = random.nextFloat() * 2 - 1;
      x[i] = new float[] {a, b, random.nextFloat() * 0.1f};
      y[i] = (a > 0) == (b > 0) ? 0 : 1;
    }
    List<String> classes = List.of("same sign", "different sign");
    LinearProbe linear = LinearProbe.train(classes, "test", x, y, 0.25, 300, m -> {});
    LinearProbe mlp = LinearProbe.trainMlp(classes, "test", x, y, 32, 0.25, 60, m -> {});
    double linearAccuracy = linear.evaluate(x, y).accuracy();
    double mlpAccuracy = mlp.evaluate(x, y).accuracy();
    assertTrue(linearAccuracy < 0.65, "a linear probe cannot learn XOR: " + linearAccuracy);
    assertTrue(mlpAccuracy > 0.9, "the MLP should: " + mlpAccuracy);
    assertEquals("mlp", mlp.kind());
    Path file = dir.resolve("mlp.json");
    mlp.save(file);
    LinearProbe loaded = LinearProbe.load(file);
    assertEquals("mlp", loaded.kind());
    for (float[] sample : x) {
      assertEquals(mlp.predict(sample), loaded.predict(sample));
    }
  }
}
