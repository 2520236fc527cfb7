package io.clip4j.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A probe on frozen CLIP image embeddings: multinomial logistic regression with an L2 penalty whose
 * strength is chosen on a held-out validation split, then refitted on all the training data, as in
 * the CLIP paper's linear-probe evaluation; or, as an option, a small MLP (one hidden ReLU layer)
 * whose number of epochs is chosen on the validation split. Saved and loaded as JSON.
 *
 * <p>Written here rather than taken from a library: the well-kept JVM libraries with multinomial,
 * L2-penalised logistic regression are GPL (Smile) or heavy (DL4J, Tribuo with its own data model);
 * this is a small L-BFGS fit whose results match SciPy's exact optimum and scikit-learn's (see its
 * test). Thread-safe once trained or loaded.
 */
public final class LinearProbe {
  /** The penalties tried, as in a log-spaced sweep of scikit-learn's C. */
  public static final double[] LAMBDAS = {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8};

  /** The MLP option's L2 penalty on its weights. */
  public static final double MLP_LAMBDA = 1e-4;

  private static final String FORMAT = "clip4j-linear-probe-1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> classes;
  private final String model;
  private final double lambda;
  private final ProbeModel classifier;

  private LinearProbe(List<String> classes, String model, double lambda, ProbeModel classifier) {
    this.classes = List.copyOf(classes);
    this.model = model;
    this.lambda = lambda;
    this.classifier = classifier;
  }

  /**
   * Fits the logistic regression. {@code validationFraction} of the samples (shuffled with a fixed
   * seed) choose the penalty from {@link #LAMBDAS}; {@code log} hears each candidate's validation
   * accuracy.
   */
  public static LinearProbe train(
      List<String> classes,
      String model,
      float[][] embeddings,
      int[] labels,
      double validationFraction,
      int maxIterations,
      Consumer<String> log) {
    Split split = Split.of(embeddings, labels, validationFraction);
    double best = LAMBDAS[0];
    double bestAccuracy = -1;
    for (double lambda : LAMBDAS) {
      SoftmaxRegression candidate =
          SoftmaxRegression.fit(split.fitX, split.fitY, classes.size(), lambda, maxIterations);
      double accuracy = split.accuracy(candidate);
      log.accept(
          String.format(Locale.ROOT, "lambda %.0e: validation accuracy %.4f", lambda, accuracy));
      if (accuracy > bestAccuracy) {
        bestAccuracy = accuracy;
        best = lambda;
      }
    }
    SoftmaxRegression regression =
        SoftmaxRegression.fit(embeddings, labels, classes.size(), best, maxIterations);
    return new LinearProbe(classes, model, best, regression);
  }

  /**
   * Fits the MLP option with {@code hidden} units: trained on the fit split for up to {@code
   * maxEpochs}, the epoch count with the best validation accuracy kept, then retrained on all data.
   */
  public static LinearProbe trainMlp(
      List<String> classes,
      String model,
      float[][] embeddings,
      int[] labels,
      int hidden,
      double validationFraction,
      int maxEpochs,
      Consumer<String> log) {
    if (hidden <= 0 || maxEpochs <= 0) {
      throw new IllegalArgumentException("the MLP needs hidden units and epochs");
    }
    Split split = Split.of(embeddings, labels, validationFraction);
    int d = embeddings[0].length;
    SmallMlp candidate = SmallMlp.initial(d, hidden, classes.size(), 1);
    SmallMlp.Trainer trainer = new SmallMlp.Trainer(candidate, MLP_LAMBDA, 2);
    int bestEpochs = 1;
    double bestAccuracy = -1;
    for (int epoch = 1; epoch <= maxEpochs; epoch++) {
      trainer.epoch(split.fitX, split.fitY);
      double accuracy = split.accuracy(candidate);
      if (accuracy > bestAccuracy) {
        bestAccuracy = accuracy;
        bestEpochs = epoch;
      }
      if (epoch % 5 == 0 || epoch == maxEpochs) {
        log.accept(
            String.format(Locale.ROOT, "mlp epoch %d: validation accuracy %.4f", epoch, accuracy));
      }
    }
    log.accept("mlp: best after " + bestEpochs + " epochs; refitting on all the data");
    SmallMlp mlp = SmallMlp.initial(d, hidden, classes.size(), 1);
    SmallMlp.Trainer all = new SmallMlp.Trainer(mlp, MLP_LAMBDA, 2);
    for (int epoch = 0; epoch < bestEpochs; epoch++) {
      all.epoch(embeddings, labels);
    }
    return new LinearProbe(classes, model, MLP_LAMBDA, mlp);
  }

  public List<String> classes() {
    return classes;
  }

  public String model() {
    return model;
  }

  public double lambda() {
    return lambda;
  }

  /** "logistic" or "mlp". */
  public String kind() {
    return classifier instanceof SmallMlp ? "mlp" : "logistic";
  }

  public int predict(float[] embedding) {
    check(embedding);
    return classifier.predict(embedding);
  }

  public double[] probabilities(float[] embedding) {
    check(embedding);
    return classifier.probabilities(embedding);
  }

  public ClassificationMetrics evaluate(float[][] embeddings, int[] labels) {
    int[] predicted = new int[embeddings.length];
    for (int i = 0; i < embeddings.length; i++) {
      predicted[i] = predict(embeddings[i]);
    }
    return ClassificationMetrics.of(classes, labels, predicted);
  }

  private void check(float[] embedding) {
    if (embedding.length != classifier.features()) {
      throw new IllegalArgumentException(
          "the probe takes "
              + classifier.features()
              + "-dimensional embeddings, got "
              + embedding.length);
    }
  }

  public void save(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("kind", kind());
    root.put("model", model);
    root.put("lambda", lambda);
    root.put("features", classifier.features());
    if (classifier instanceof SmallMlp mlp) {
      root.put("hidden", mlp.hidden());
    }
    ArrayNode names = root.putArray("classes");
    classes.forEach(names::add);
    ArrayNode parameters = root.putArray("parameters");
    for (double p : classifier.parameters()) {
      parameters.add(p);
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  public static LinearProbe load(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IOException(file + " is not a clip4j linear probe");
    }
    List<String> classes = new ArrayList<>();
    root.path("classes").forEach(c -> classes.add(c.asText()));
    int features = root.path("features").asInt();
    double[] parameters = new double[root.path("parameters").size()];
    for (int i = 0; i < parameters.length; i++) {
      parameters[i] = root.path("parameters").get(i).asDouble();
    }
    boolean mlp = root.path("kind").asText("logistic").equals("mlp");
    int hidden = root.path("hidden").asInt(0);
    int expected =
        mlp ? SmallMlp.size(features, hidden, classes.size()) : classes.size() * (features + 1);
    if (classes.size() < 2
        || features <= 0
        || (mlp && hidden <= 0)
        || parameters.length != expected) {
      throw new IOException(file + ": probe sizes do not agree");
    }
    ProbeModel classifier =
        mlp
            ? new SmallMlp(features, hidden, classes.size(), parameters)
            : new SoftmaxRegression(features, classes.size(), parameters);
    return new LinearProbe(
        classes, root.path("model").asText(), root.path("lambda").asDouble(), classifier);
  }

  /** Fit and validation parts of a labelled set, shuffled with a fixed seed. */
  private record Split(float[][] fitX, int[] fitY, float[][] valX, int[] valY) {
    static Split of(float[][] x, int[] y, double validationFraction) {
      if (x.length != y.length || x.length < 2) {
        throw new IllegalArgumentException("need at least two labelled embeddings");
      }
      int n = x.length;
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
      int validation = Math.min(n - 1, Math.max(1, (int) Math.round(n * validationFraction)));
      Split s =
          new Split(
              new float[n - validation][],
              new int[n - validation],
              new float[validation][],
              new int[validation]);
      for (int i = 0; i < n; i++) {
        int k = order[i];
        if (i < validation) {
          s.valX[i] = x[k];
          s.valY[i] = y[k];
        } else {
          s.fitX[i - validation] = x[k];
          s.fitY[i - validation] = y[k];
        }
      }
      return s;
    }

    double accuracy(ProbeModel model) {
      int correct = 0;
      for (int i = 0; i < valX.length; i++) {
        correct += model.predict(valX[i]) == valY[i] ? 1 : 0;
      }
      return correct / (double) valX.length;
    }
  }
}
