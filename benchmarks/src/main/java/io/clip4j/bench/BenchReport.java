package io.clip4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Everything one run measured, with what it was measured on, written as JSON (for programs),
 * Markdown (for people and the README) and a PNG plot of throughput against batch size.
 */
public record BenchReport(
    Map<String, String> environment,
    Map<String, Object> settings,
    Map<String, Map<String, String>> runtimes,
    Map<String, Double> imageEmbeddingMaxAbsDiffVsClip4j,
    MatmulFloor.Summary matmulFloor,
    List<CaseResult> results) {

  void write(Path folder) throws IOException {
    Files.createDirectories(folder);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(folder.resolve("results.json").toFile(), this);
    Files.writeString(folder.resolve("results.md"), markdown());
    throughputChart(folder.resolve("throughput.png"));
  }

  String markdown() {
    StringBuilder md = new StringBuilder("# clip4j benchmark\n\n");
    environment.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    settings.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    runtimes.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    imageEmbeddingMaxAbsDiffVsClip4j.forEach(
        (k, v) ->
            md.append(
                String.format(
                    Locale.ROOT,
                    "- same weights: %s image embedding max abs diff vs clip4j %.2e%n",
                    k,
                    v)));
    List<String> names = new ArrayList<>(runtimes.keySet());
    for (String kind : kinds()) {
      md.append("\n## ").append(kind).append(", one caller\n\n| batch |");
      for (String name : names)
        md.append(' ').append(name).append(" p50 / p99 ms | ").append(name).append(" items/s |");
      md.append("\n|---|");
      md.append("---|---|".repeat(names.size())).append('\n');
      for (int batch : batches(kind)) {
        md.append("| ").append(batch).append(" |");
        for (String name : names) {
          CaseResult r = find(name, kind, batch, 1);
          md.append(
              r == null
                  ? " - | - |"
                  : String.format(
                      Locale.ROOT,
                      " %.2f / %.2f | %.1f |",
                      r.p50Ms(),
                      r.p99Ms(),
                      r.itemsPerSecond()));
        }
        md.append('\n');
      }
    }
    if (matmulFloor != null) floorSection(md, names);
    List<CaseResult> concurrent = results.stream().filter(r -> r.callers() > 1).toList();
    if (!concurrent.isEmpty()) {
      md.append(
          "\n## concurrent callers\n\n| runtime | case | batch | callers | p50 ms | p90 ms | p99 ms | max ms | items/s |\n|---|---|---|---|---|---|---|---|---|\n");
      for (CaseResult r : concurrent) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.1f |%n",
                r.runtime(),
                r.kind(),
                r.batch(),
                r.callers(),
                r.p50Ms(),
                r.p90Ms(),
                r.p99Ms(),
                r.maxMs(),
                r.itemsPerSecond()));
      }
    }
    return md.toString();
  }

  /** Each runtime's model-only time per image as a multiple of the matmul floor. */
  private void floorSection(StringBuilder md, List<String> names) {
    String kind = BenchCase.Kind.IMAGE_MODEL.id();
    md.append("\n## ")
        .append(kind)
        .append(", against the matmul floor\n\n")
        .append(matmulFloor.describe(runtimes.get("open_clip")))
        .append("\n| batch |");
    for (String name : names) md.append(' ').append(name).append(" p50 ms per image (x floor) |");
    md.append("\n|---|").append("---|".repeat(names.size())).append('\n');
    for (int batch : batches(kind)) {
      md.append("| ").append(batch).append(" |");
      for (String name : names) {
        CaseResult r = find(name, kind, batch, 1);
        if (r == null) {
          md.append(" - |");
          continue;
        }
        double perImage = r.p50Ms() / batch;
        md.append(
            String.format(
                Locale.ROOT,
                " %.1f (%.2fx) |",
                perImage,
                perImage / matmulFloor.floorMsPerImage()));
      }
      md.append('\n');
    }
  }

  private void throughputChart(Path png) throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(560)
            .title("Throughput against batch size (" + environment.get("cpu") + ")")
            .xAxisTitle("batch size")
            .yAxisTitle("items per second")
            .build();
    chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
    for (String name : runtimes.keySet()) {
      for (String kind : kinds()) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int batch : batches(kind)) {
          CaseResult r = find(name, kind, batch, 1);
          if (r != null) {
            x.add((double) batch);
            y.add(r.itemsPerSecond());
          }
        }
        if (!x.isEmpty()) chart.addSeries(name + " " + kind, x, y).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private List<String> kinds() {
    return results.stream().map(CaseResult::kind).distinct().toList();
  }

  private TreeSet<Integer> batches(String kind) {
    TreeSet<Integer> batches = new TreeSet<>();
    for (CaseResult r : results)
      if (r.kind().equals(kind) && r.callers() == 1) batches.add(r.batch());
    return batches;
  }

  private CaseResult find(String runtime, String kind, int batch, int callers) {
    for (CaseResult r : results) {
      if (r.runtime().equals(runtime)
          && r.kind().equals(kind)
          && r.batch() == batch
          && r.callers() == callers) return r;
    }
    return null;
  }

  static Map<String, Double> embeddingDiffs(float[] reference, Map<String, float[]> others) {
    Map<String, Double> diffs = new LinkedHashMap<>();
    others.forEach(
        (name, e) -> {
          Objects.requireNonNull(e);
          double max = e.length == reference.length ? 0 : Double.POSITIVE_INFINITY;
          for (int i = 0; i < Math.min(e.length, reference.length); i++) {
            max = Math.max(max, Math.abs(e[i] - reference[i]));
          }
          diffs.put(name, max);
        });
    return diffs;
  }
}
