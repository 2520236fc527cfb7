package io.clip4j.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A linear probe on frozen CLIP image embeddings: multinomial logistic regression with an L2
 * penalty whose strength is chosen on a held-out validation split, then refitted on all the
 * training data, as in the CLIP paper's linear-probe evaluation. Saved and loaded as JSON.
 *
 * <p>Written here rather than taken from a library: the well-kept JVM libraries with multinomial,
 * L2-penalised logistic regression are GPL (Smile) or heavy (DL4J, Tribuo with its own data model);
 * this is a small L-BFGS fit whose results match scikit-learn's (see its test).
 */
public final class LinearProbe {
  /** The penalties tried, as in a log-spaced sweep of scikit-learn's C. */
  public static final double[] LAMBDAS = {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8};

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> classes;
  private final String model;
  private final double lambda;
  private final SoftmaxRegression regression;

  private LinearProbe(
      List<String> classes, String model, double lambda, SoftmaxRegression regression) {
    this.classes = List.copyOf(classes);
    this.model = model;
    this.lambda = lambda;
    this.regression = regression;
  }

  /**
   * Fits a probe. {@code validationFraction} of the samples (shuffled with a fixed seed) choose the
   * penalty from {@link #LAMBDAS}; {@code log} hears each candidate's validation accuracy.
   */
  public static LinearProbe train(
      List<String> classes,
      String model,
      float[][] embeddings,
      int[] labels,
      double validationFraction,
      int maxIterations,
      Consumer<String> log) {
    if (embeddings.length != labels.length || embeddings.length < 2) {
      throw new IllegalArgumentException("need at least two labelled embeddings");
    }
    int n = embeddings.length;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random(0);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    int validation = Math.max(1, (int) Math.round(n * validationFraction));
    float[][] fitX = new float[n - validation][];
    int[] fitY = new int[n - validation];
    float[][] valX = new float[validation][];
    int[] valY = new int[validation];
    for (int i = 0; i < n; i++) {
      int k = order[i];
      if (i < validation) {
        valX[i] = embeddings[k];
        valY[i] = labels[k];
      } else {
        fitX[i - validation] = embeddings[k];
        fitY[i - validation] = labels[k];
      }
    }
    double best = LAMBDAS[0];
    double bestAccuracy = -1;
    for (double lambda : LAMBDAS) {
      SoftmaxRegression candidate =
          SoftmaxRegression.fit(fitX, fitY, classes.size(), lambda, maxIterations);
      int correct = 0;
      for (int i = 0; i < validation; i++) {
        correct += candidate.predict(valX[i]) == valY[i] ? 1 : 0;
      }
      double accuracy = correct / (double) validation;
      log.accept(
          String.format(
              java.util.Locale.ROOT, "lambda %.0e: validation accuracy %.4f", lambda, accuracy));
      if (accuracy > bestAccuracy) {
        bestAccuracy = accuracy;
        best = lambda;
      }
    }
    SoftmaxRegression regression =
        SoftmaxRegression.fit(embeddings, labels, classes.size(), best, maxIterations);
    return new LinearProbe(classes, model, best, regression);
  }

  public List<String> classes() {
    return classes;
  }

  public double lambda() {
    return lambda;
  }

  public int predict(float[] embedding) {
    check(embedding);
    return regression.predict(embedding);
  }

  public double[] probabilities(float[] embedding) {
    check(embedding);
    return regression.probabilities(embedding);
  }

  public ClassificationMetrics evaluate(float[][] embeddings, int[] labels) {
    int[] predicted = new int[embeddings.length];
    for (int i = 0; i < embeddings.length; i++) {
      predicted[i] = predict(embeddings[i]);
    }
    return ClassificationMetrics.of(classes, labels, predicted);
  }

  private void check(float[] embedding) {
    if (embedding.length != regression.features) {
      throw new IllegalArgumentException(
          "the probe takes "
              + regression.features
              + "-dimensional embeddings, got "
              + embedding.length);
    }
  }

  public void save(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", "clip4j-linear-probe-1");
    root.put("model", model);
    root.put("lambda", lambda);
    root.put("features", regression.features);
    ArrayNode names = root.putArray("classes");
    classes.forEach(names::add);
    ArrayNode parameters = root.putArray("parameters");
    for (double p : regression.parameters) {
      parameters.add(p);
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  public static LinearProbe load(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    if (root == null || !"clip4j-linear-probe-1".equals(root.path("format").asText())) {
      throw new IOException(file + " is not a clip4j linear probe");
    }
    List<String> classes = new ArrayList<>();
    root.path("classes").forEach(c -> classes.add(c.asText()));
    int features = root.path("features").asInt();
    double[] parameters = new double[root.path("parameters").size()];
    for (int i = 0; i < parameters.length; i++) {
      parameters[i] = root.path("parameters").get(i).asDouble();
    }
    if (classes.size() < 2
        || features <= 0
        || parameters.length != classes.size() * (features + 1)) {
      throw new IOException(file + ": probe sizes do not agree");
    }
    return new LinearProbe(
        classes,
        root.path("model").asText(),
        root.path("lambda").asDouble(),
        new SoftmaxRegression(features, classes.size(), parameters));
  }

  public String model() {
    return model;
  }
}
