package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.DemoModel;
import io.clip4j.apps.EvaluationReport;
import io.clip4j.apps.LabeledImages;
import io.clip4j.apps.PromptTemplates;
import io.clip4j.apps.ZeroShotEvaluation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clip4j eval}: zero-shot accuracy of one or more models on a labelled image set. */
@Command(
    name = "eval",
    description =
        "Zero-shot evaluation of each model on a folder of class subfolders, or on Fashion-MNIST's"
            + " IDX files: top-1/top-5 accuracy, mean similarity of the correct class, time per"
            + " image; printed, and written as CSV, Markdown and a PNG chart.")
final class EvalCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      arity = "1..*",
      paramLabel = "PATH",
      description = "Models to compare (default: the bundled demo model).")
  List<Path> models;

  @Mixin RuntimeOptions runtime;

  @Mixin DatasetOptions dataset;

  @Option(
      names = "--templates",
      arity = "1..*",
      paramLabel = "T",
      description =
          "As for classify. Default: the demo model's own templates for the demo model, else"
              + " 'a photo of a {}.'.")
  List<String> templates;

  @Option(
      names = "--output-dir",
      defaultValue = "clip4j-eval",
      paramLabel = "DIR",
      description =
          "Where results.csv, .md, .png and predictions.csv go (default: ${DEFAULT-VALUE}).")
  Path outputDir;

  @Override
  public Integer call() throws Exception {
    LabeledImages data = dataset.open("t10k");
    boolean demo = models == null || models.isEmpty();
    List<Path> paths = demo ? List.of(DemoModel.path()) : models;
    List<String> prompts =
        templates != null
            ? ClassifyCommand.templates(templates)
            : demo ? DemoModel.TEMPLATES : PromptTemplates.SIMPLE;
    int n = dataset.count(data);
    List<ZeroShotEvaluation.Result> results = new ArrayList<>();
    for (Path path : paths) {
      try (ClipModel model = ClipModel.load(path, runtime.options(true));
          ProgressBar bar = DatasetOptions.progress(model.info().architecture(), n)) {
        String name = demo ? "demo (fashion-clip)" : model.info().architecture();
        results.add(ZeroShotEvaluation.run(name, model, data, prompts, n, bar::stepBy));
      }
    }
    System.out.print(EvaluationReport.text(results));
    for (Path written : EvaluationReport.write(results, outputDir)) {
      System.err.println("clip4j: wrote " + written);
    }
    writePredictions(results, data);
    return 0;
  }

  /** predictions.csv: each image's true and predicted label per model, for comparisons. */
  private void writePredictions(List<ZeroShotEvaluation.Result> results, LabeledImages data)
      throws IOException {
    StringBuilder out = new StringBuilder("image,label");
    for (ZeroShotEvaluation.Result r : results) {
      out.append(",\"").append(r.model().replace("\"", "\"\"")).append('"');
    }
    out.append('\n');
    for (int i = 0; i < results.get(0).images(); i++) {
      out.append('"')
          .append(data.name(i).replace("\"", "\"\""))
          .append("\",")
          .append(data.label(i));
      for (ZeroShotEvaluation.Result r : results) {
        out.append(',').append(r.predicted()[i]);
      }
      out.append('\n');
    }
    Files.writeString(outputDir.resolve("predictions.csv"), out.toString(), StandardCharsets.UTF_8);
  }
}
