package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.ClipOptions;
import io.clip4j.DemoModel;
import io.clip4j.Device;
import io.clip4j.Precision;
import io.clip4j.apps.EvaluationReport;
import io.clip4j.apps.FashionMnist;
import io.clip4j.apps.ImageFolderDataset;
import io.clip4j.apps.LabeledImages;
import io.clip4j.apps.PromptTemplates;
import io.clip4j.apps.ZeroShotEvaluation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
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

  @Option(
      names = "--arch",
      paramLabel = "NAME",
      description = "Architecture of bare weights files.")
  String architecture;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "Class subfolders, or a folder with Fashion-MNIST IDX files.")
  Path data;

  @Option(
      names = "--split",
      defaultValue = "t10k",
      paramLabel = "t10k|train",
      description = "IDX split (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--limit",
      defaultValue = "0",
      paramLabel = "N",
      description = "Only the first N images (default: all).")
  int limit;

  @Option(
      names = "--templates",
      arity = "1..*",
      paramLabel = "T",
      description =
          "As for classify. Default: the demo model's own templates for the demo model, else 'a photo of a {}.'.")
  List<String> templates;

  @Option(
      names = "--output-dir",
      defaultValue = "clip4j-eval",
      paramLabel = "DIR",
      description = "Where results.csv, .md and .png go (default: ${DEFAULT-VALUE}).")
  Path outputDir;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda[:N]")
  String device;

  @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16|bf16")
  String precision;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N")
  int threads;

  @Option(names = "--batch", defaultValue = "64", paramLabel = "N")
  int batch;

  @Override
  public Integer call() throws Exception {
    LabeledImages dataset =
        FashionMnist.isIn(data, split)
            ? new FashionMnist(data, split)
            : new ImageFolderDataset(data);
    boolean demo = models == null || models.isEmpty();
    List<Path> paths = demo ? List.of(DemoModel.path()) : models;
    ClipOptions options =
        ClipOptions.builder()
            .device(Device.parse(device))
            .precision(Precision.parse(precision))
            .threads(threads)
            .batchSize(batch)
            .architecture(architecture)
            .build();
    List<ZeroShotEvaluation.Result> results = new ArrayList<>();
    int n = limit > 0 ? Math.min(limit, dataset.size()) : dataset.size();
    for (Path path : paths) {
      List<String> prompts =
          templates != null
              ? ClassifyCommand.templates(templates)
              : demo ? DemoModel.TEMPLATES : PromptTemplates.SIMPLE;
      try (ClipModel model = ClipModel.load(path, options);
          ProgressBar bar =
              new ProgressBarBuilder()
                  .setTaskName(model.info().architecture())
                  .setInitialMax(n)
                  .setStyle(ProgressBarStyle.ASCII)
                  .setUnit(" img", 1)
                  .showSpeed()
                  .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                  .build()) {
        results.add(
            ZeroShotEvaluation.run(
                demo ? "demo (fashion-clip)" : model.info().architecture(),
                model,
                dataset,
                prompts,
                limit,
                bar::stepBy));
      }
    }
    System.out.print(EvaluationReport.text(results));
    for (Path written : EvaluationReport.write(results, outputDir)) {
      System.err.println("clip4j: wrote " + written);
    }
    writePredictions(results, dataset);
    return 0;
  }

  /** predictions.csv: each image's true and predicted label per model, for comparisons. */
  private void writePredictions(List<ZeroShotEvaluation.Result> results, LabeledImages dataset)
      throws java.io.IOException {
    StringBuilder out = new StringBuilder("image,label");
    for (ZeroShotEvaluation.Result r : results) {
      out.append(",\"").append(r.model().replace("\"", "\"\"")).append('"');
    }
    out.append('\n');
    int n = results.get(0).images();
    for (int i = 0; i < n; i++) {
      out.append('"')
          .append(dataset.name(i).replace("\"", "\"\""))
          .append("\",")
          .append(dataset.label(i));
      for (ZeroShotEvaluation.Result r : results) {
        out.append(',').append(r.predicted()[i]);
      }
      out.append('\n');
    }
    Files.writeString(outputDir.resolve("predictions.csv"), out.toString(), StandardCharsets.UTF_8);
  }
}
