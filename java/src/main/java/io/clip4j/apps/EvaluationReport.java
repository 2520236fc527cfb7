package io.clip4j.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** The table users report, as text, CSV, Markdown and a PNG chart. */
public final class EvaluationReport {
  private static final String[] HEADER = {
    "model",
    "images",
    "top-1 accuracy",
    "top-5 accuracy",
    "mean correct-class similarity",
    "ms per image"
  };

  private EvaluationReport() {}

  private static List<String[]> rows(List<ZeroShotEvaluation.Result> results) {
    List<String[]> rows = new ArrayList<>();
    for (ZeroShotEvaluation.Result r : results) {
      rows.add(
          new String[] {
            r.model(),
            Integer.toString(r.images()),
            String.format(Locale.ROOT, "%.4f", r.top1()),
            String.format(Locale.ROOT, "%.4f", r.top5()),
            String.format(Locale.ROOT, "%.4f", r.meanCorrectCosine()),
            String.format(Locale.ROOT, "%.2f", r.millisPerImage())
          });
    }
    return rows;
  }

  public static String text(List<ZeroShotEvaluation.Result> results) {
    StringBuilder out =
        new StringBuilder(
            String.format(Locale.ROOT, "%-28s %8s %15s %15s %30s %13s%n", (Object[]) HEADER));
    for (String[] row : rows(results)) {
      out.append(String.format(Locale.ROOT, "%-28s %8s %15s %15s %30s %13s%n", (Object[]) row));
    }
    return out.toString();
  }

  public static String markdown(List<ZeroShotEvaluation.Result> results) {
    StringBuilder out = new StringBuilder("| " + String.join(" | ", HEADER) + " |\n");
    out.append("|---".repeat(HEADER.length)).append("|\n");
    for (String[] row : rows(results)) {
      out.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    return out.toString();
  }

  public static String csv(List<ZeroShotEvaluation.Result> results) {
    StringBuilder out =
        new StringBuilder("model,images,top1,top5,mean_correct_similarity,ms_per_image\n");
    for (String[] row : rows(results)) {
      out.append('"').append(row[0].replace("\"", "\"\"")).append('"');
      for (int i = 1; i < row.length; i++) {
        out.append(',').append(row[i]);
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** results.csv, results.md and results.png in {@code dir}; returns the paths written. */
  public static List<Path> write(List<ZeroShotEvaluation.Result> results, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    Path csv = Files.writeString(dir.resolve("results.csv"), csv(results), StandardCharsets.UTF_8);
    Path md =
        Files.writeString(dir.resolve("results.md"), markdown(results), StandardCharsets.UTF_8);
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(900)
            .height(500)
            .title("Zero-shot accuracy (time per image in brackets)")
            .xAxisTitle("model")
            .yAxisTitle("accuracy")
            .build();
    chart
        .getStyler()
        .setYAxisMin(0.0)
        .setYAxisMax(1.0)
        .setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    List<String> names = new ArrayList<>();
    List<Double> top1 = new ArrayList<>();
    List<Double> top5 = new ArrayList<>();
    for (ZeroShotEvaluation.Result r : results) {
      names.add(String.format(Locale.ROOT, "%s (%.1f ms)", r.model(), r.millisPerImage()));
      top1.add(r.top1());
      top5.add(r.top5());
    }
    chart.addSeries("top-1", names, top1);
    chart.addSeries("top-5", names, top5);
    Path png = dir.resolve("results.png");
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    return List.of(csv, md, png);
  }
}
