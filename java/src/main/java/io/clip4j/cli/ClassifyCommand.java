package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.apps.PromptTemplates;
import io.clip4j.apps.ZeroShotClassifier;
import io.clip4j.apps.ZeroShotClassifier.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clip4j classify}: zero-shot labels for images, one JSON line per image. */
@Command(
    name = "classify",
    description =
        "Zero-shot classification: {\"image\": FILE, \"predictions\": [{\"label\": ..., \"score\": ...,"
            + " \"cosine\": ...}, ...]} a line, best first. Without --model, the bundled demo model.")
final class ClassifyCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @Option(
      names = "--image",
      required = true,
      arity = "1..*",
      paramLabel = "FILE",
      description = "Image files.")
  List<Path> images;

  @Option(
      names = "--labels",
      required = true,
      split = ",",
      paramLabel = "L1,L2,...",
      description = "The candidate labels, comma-separated.")
  List<String> labels;

  @Option(
      names = "--templates",
      arity = "1..*",
      paramLabel = "T",
      description =
          "Prompt templates: 'openai' (the CLIP paper's 80 ImageNet templates), 'simple' ('a photo of"
              + " a {}.'), a file with one template a line, or templates with {} for the label."
              + " Default: simple (the demo model's own templates for the demo model).")
  List<String> templates;

  @Option(
      names = "--top-k",
      defaultValue = "5",
      paramLabel = "K",
      description = "Labels per image (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--chart-dir",
      paramLabel = "DIR",
      description = "Also draw each image with its labels as bars: DIR/<image>.labels.png.")
  Path chartDir;

  @Override
  public Integer call() throws Exception {
    List<String> prompts =
        templates != null && !templates.isEmpty()
            ? templates(templates)
            : modelOptions.model == null ? io.clip4j.DemoModel.TEMPLATES : PromptTemplates.SIMPLE;
    List<String> cleanLabels = labels.stream().map(String::strip).toList();
    try (ClipModel model = modelOptions.load(true);
        JsonLines out = new JsonLines(null)) {
      ZeroShotClassifier classifier = ZeroShotClassifier.build(model, cleanLabels, prompts);
      int batch = modelOptions.batch();
      for (int start = 0; start < images.size(); start += batch) {
        List<Path> files = images.subList(start, Math.min(images.size(), start + batch));
        List<List<Prediction>> results =
            ImageErrors.naming(files, () -> classifier.classifyFiles(files, topK));
        for (int i = 0; i < files.size(); i++) {
          List<Map<String, Object>> predictions = new ArrayList<>();
          for (Prediction p : results.get(i)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", p.label());
            entry.put("score", p.score());
            entry.put("cosine", p.cosine());
            predictions.add(entry);
          }
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("image", files.get(i).toString());
          line.put("predictions", predictions);
          out.write(line);
          if (chartDir != null) {
            drawChart(files.get(i), results.get(i));
          }
        }
      }
    }
    return 0;
  }

  /** Resolves --templates values: openai, simple, a file, or literal templates. */
  static List<String> templates(List<String> values) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    for (String t : values) {
      if (t.equals("openai")) {
        out.addAll(PromptTemplates.openAiImageNet());
      } else if (t.equals("simple")) {
        out.addAll(PromptTemplates.SIMPLE);
      } else if (!t.contains("{}") && Files.isRegularFile(Path.of(t))) {
        out.addAll(PromptTemplates.fromFile(Path.of(t)));
      } else {
        out.addAll(Arrays.asList(t));
      }
    }
    return PromptTemplates.validate(out);
  }

  private void drawChart(Path image, List<Prediction> predictions) throws java.io.IOException {
    java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(image.toFile());
    if (picture == null) {
      System.err.println("clip4j: no chart for " + image + " (Java cannot draw this image format)");
      return;
    }
    Files.createDirectories(chartDir);
    Path png = chartDir.resolve(image.getFileName() + ".labels.png");
    io.clip4j.apps.Charts.labelledImage(picture, predictions, png);
    System.err.println("clip4j: wrote " + png);
  }
}
