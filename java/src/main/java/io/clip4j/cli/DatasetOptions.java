package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.apps.FashionMnist;
import io.clip4j.apps.ImageFolderDataset;
import io.clip4j.apps.LabeledImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Option;

/** --data, --split and --limit, and embedding a labelled set with a progress bar. */
final class DatasetOptions {
  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "Class subfolders, or a folder with Fashion-MNIST IDX files.")
  Path data;

  @Option(
      names = "--split",
      paramLabel = "t10k|train",
      description = "IDX split: t10k or train (default: train to fit a probe, t10k otherwise).")
  String split;

  @Option(
      names = "--limit",
      defaultValue = "0",
      paramLabel = "N",
      description = "Only the first N images (default: all).")
  int limit;

  LabeledImages open(String defaultSplit) {
    String s = split != null ? split : defaultSplit;
    return FashionMnist.isIn(data, s) ? new FashionMnist(data, s) : new ImageFolderDataset(data);
  }

  int count(LabeledImages set) {
    return limit > 0 ? Math.min(limit, set.size()) : set.size();
  }

  static ProgressBar progress(String task, long max) {
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII)
        .setUnit(" img", 1)
        .showSpeed()
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .build();
  }

  /** The embeddings of the first {@code n} images of {@code set}, in the model's batches. */
  static float[][] embed(ClipModel model, LabeledImages set, int n) {
    List<float[]> out = new ArrayList<>(n);
    int batch = model.options().batchSize();
    try (ProgressBar bar = progress("embedding", n)) {
      for (int from = 0; from < n; from += batch) {
        int to = Math.min(n, from + batch);
        out.addAll(set.embed(model, from, to));
        bar.stepBy(to - from);
      }
    }
    return out.toArray(new float[0][]);
  }

  static int[] labels(LabeledImages set, int n) {
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = set.label(i);
    }
    return labels;
  }
}
