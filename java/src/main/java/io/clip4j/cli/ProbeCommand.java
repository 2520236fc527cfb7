package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.apps.Charts;
import io.clip4j.apps.ClassificationMetrics;
import io.clip4j.apps.LabeledImages;
import io.clip4j.apps.LinearProbe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clip4j probe train|evaluate|apply}: a linear classifier on frozen image embeddings. */
@Command(
    name = "probe",
    description = "Linear probes: logistic regression on frozen CLIP image embeddings.",
    subcommands = {ProbeCommand.Train.class, ProbeCommand.Evaluate.class, ProbeCommand.Apply.class})
final class ProbeCommand {
  @Command(
      name = "train",
      description = "Fit a probe on a labelled set (the L2 penalty chosen on a validation split).")
  static final class Train implements java.util.concurrent.Callable<Integer> {
    @Mixin ModelOptions modelOptions;
    @Mixin DatasetOptions dataset;

    @Option(
        names = "--output",
        required = true,
        paramLabel = "FILE.json",
        description = "Where the probe is saved.")
    Path output;

    @Option(
        names = "--validation",
        defaultValue = "0.2",
        paramLabel = "FRACTION",
        description = "Share held out to choose the penalty (default: ${DEFAULT-VALUE}).")
    double validation;

    @Option(names = "--max-iterations", defaultValue = "300", paramLabel = "N")
    int maxIterations;

    @Option(
        names = "--mlp",
        defaultValue = "0",
        paramLabel = "HIDDEN",
        description = "Fit a small MLP with HIDDEN ReLU units instead of logistic regression.")
    int mlpHidden;

    @Option(
        names = "--epochs",
        defaultValue = "40",
        paramLabel = "N",
        description = "MLP: at most N epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Override
    public Integer call() throws Exception {
      try (ClipModel model = modelOptions.load(true)) {
        LabeledImages set = dataset.open("train");
        int n = dataset.count(set);
        float[][] embeddings = DatasetOptions.embed(model, set, n);
        int[] labels = DatasetOptions.labels(set, n);
        Consumer<String> log = m -> System.err.println("clip4j: " + m);
        String name = model.info().architecture();
        LinearProbe probe =
            mlpHidden > 0
                ? LinearProbe.trainMlp(
                    set.classes(), name, embeddings, labels, mlpHidden, validation, epochs, log)
                : LinearProbe.train(
                    set.classes(), name, embeddings, labels, validation, maxIterations, log);
        probe.save(output);
        ClassificationMetrics fit = probe.evaluate(embeddings, labels);
        System.out.printf(
            java.util.Locale.ROOT,
            "%s probe, lambda %.0e; training accuracy %.4f on %d images; saved %s%n",
            probe.kind(),
            probe.lambda(),
            fit.accuracy(),
            n,
            output);
      }
      return 0;
    }
  }

  @Command(
      name = "evaluate",
      description =
          "Accuracy, per-class precision/recall/F1 and the confusion matrix (text and PNG).")
  static final class Evaluate implements java.util.concurrent.Callable<Integer> {
    @Mixin ModelOptions modelOptions;
    @Mixin DatasetOptions dataset;

    @Option(names = "--probe", required = true, paramLabel = "FILE.json")
    Path probeFile;

    @Option(
        names = "--output-dir",
        defaultValue = "clip4j-probe",
        paramLabel = "DIR",
        description = "Where report.txt and confusion.png go (default: ${DEFAULT-VALUE}).")
    Path outputDir;

    @Override
    public Integer call() throws Exception {
      LinearProbe probe = LinearProbe.load(probeFile);
      try (ClipModel model = modelOptions.load(true)) {
        LabeledImages set = dataset.open("t10k");
        if (!set.classes().equals(probe.classes())) {
          throw new IllegalArgumentException(
              "the data's classes " + set.classes() + " are not the probe's " + probe.classes());
        }
        int n = dataset.count(set);
        ClassificationMetrics metrics =
            probe.evaluate(DatasetOptions.embed(model, set, n), DatasetOptions.labels(set, n));
        String report = metrics.report();
        System.out.print(report);
        Files.createDirectories(outputDir);
        Files.writeString(outputDir.resolve("report.txt"), report, StandardCharsets.UTF_8);
        Charts.confusionMatrix(
            metrics,
            "Linear probe on "
                + model.info().architecture()
                + ": accuracy "
                + String.format(java.util.Locale.ROOT, "%.4f", metrics.accuracy()),
            outputDir.resolve("confusion.png"));
        System.err.println(
            "clip4j: wrote "
                + outputDir.resolve("report.txt")
                + " and "
                + outputDir.resolve("confusion.png"));
      }
      return 0;
    }
  }

  @Command(
      name = "apply",
      description = "Label images with a probe: {\"image\": ..., \"predictions\": [...]} a line.")
  static final class Apply implements java.util.concurrent.Callable<Integer> {
    @Mixin ModelOptions modelOptions;

    @Option(names = "--probe", required = true, paramLabel = "FILE.json")
    Path probeFile;

    @Option(names = "--image", required = true, arity = "1..*", paramLabel = "FILE")
    List<Path> images;

    @Option(names = "--top-k", defaultValue = "3", paramLabel = "K")
    int topK;

    @Override
    public Integer call() throws Exception {
      LinearProbe probe = LinearProbe.load(probeFile);
      try (ClipModel model = modelOptions.load(true);
          JsonLines out = new JsonLines(null)) {
        List<float[]> embeddings = ImageErrors.naming(images, () -> model.embedImageFiles(images));
        for (int i = 0; i < images.size(); i++) {
          double[] p = probe.probabilities(embeddings.get(i));
          Integer[] order = new Integer[p.length];
          Arrays.setAll(order, c -> c);
          Arrays.sort(order, Comparator.comparingDouble((Integer c) -> -p[c]));
          List<Map<String, Object>> predictions = new ArrayList<>();
          for (int k = 0; k < Math.min(topK, order.length); k++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", probe.classes().get(order[k]));
            entry.put("score", p[order[k]]);
            predictions.add(entry);
          }
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("image", images.get(i).toString());
          line.put("predictions", predictions);
          out.write(line);
        }
      }
      return 0;
    }
  }
}
