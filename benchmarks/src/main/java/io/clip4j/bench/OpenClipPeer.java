package io.clip4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.Device;
import io.clip4j.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * open_clip in Python (benchmarks/peers/openclip_peer.py), run as a child process on the same
 * weights, photo and prompts, in clip4j's precision and on clip4j's kind of device (where its torch
 * has no CUDA, on the CPU in fp32: its versions say which). It returns every call's time; the
 * statistics are computed here, by the same code as for the Java runtimes.
 */
final class OpenClipPeer {
  /**
   * Every call's time per case, the peer's versions, its raw image embedding of the photo, and the
   * matmul floor it measured (null when no image-model case ran).
   */
  record Outcome(
      Map<BenchCase, Histogram> latencies,
      Map<String, String> versions,
      float[] imageEmbedding,
      MatmulFloor floor) {}

  private OpenClipPeer() {}

  /**
   * Runs the peer, or returns null with the reason printed when Python or open_clip is missing.
   * With {@code floor} (and an image-model case) it also measures the matmul floor.
   */
  static Outcome runIfPresent(
      Path python,
      Path script,
      Path model,
      Path image,
      int threads,
      Device device,
      Precision precision,
      List<BenchCase> cases,
      MeasureSettings s,
      boolean floor)
      throws IOException, InterruptedException {
    if (python == null || !Files.isExecutable(python)) {
      System.err.println(
          "bench: open_clip skipped: "
              + (python == null ? "no --python given" : "no Python at " + python)
              + " (models/setup-python.sh installs open_clip and torch)");
      return null;
    }
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            python.toString(),
            script.toString(),
            "--model",
            model.toString(),
            "--image",
            image.toString(),
            "--threads",
            Integer.toString(threads),
            "--precision",
            precision.name().toLowerCase(Locale.ROOT),
            "--device",
            device.type() == Device.Type.CUDA ? "cuda" : "cpu",
            "--warmup-seconds",
            Double.toString(s.warmupSeconds()),
            "--seconds",
            Double.toString(s.seconds()),
            "--min-iterations",
            Integer.toString(s.minIterations()),
            "--max-iterations",
            Integer.toString(s.maxIterations()),
            "--cases",
            cases.stream().map(c -> c.kind().id()).distinct().collect(Collectors.joining(",")),
            "--batches",
            cases.stream()
                .map(c -> Integer.toString(c.batch()))
                .distinct()
                .collect(Collectors.joining(",")),
            "--print-embedding"));
    if (floor && cases.stream().anyMatch(c -> c.kind() == BenchCase.Kind.IMAGE_MODEL))
      command.add("--floor");
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    if (exit != 0) {
      System.err.println("bench: open_clip skipped: the peer exited with " + exit);
      return null;
    }
    return parse(new ObjectMapper().readTree(stdout));
  }

  private static Outcome parse(JsonNode root) {
    Map<String, String> versions = new LinkedHashMap<>();
    root.path("versions")
        .fields()
        .forEachRemaining(e -> versions.put(e.getKey(), e.getValue().asText()));
    versions.put("intra_op_threads", root.path("threads").asText());
    versions.computeIfPresent("precision", (k, v) -> v.toUpperCase(Locale.ROOT)); // as the others'
    Map<BenchCase, Histogram> latencies = new LinkedHashMap<>();
    for (JsonNode r : root.path("results")) {
      BenchCase c =
          new BenchCase(BenchCase.Kind.of(r.path("case").asText()), r.path("batch").asInt());
      latencies.put(c, histogram(r.path("samples_ns")));
    }
    JsonNode e = root.path("image_embedding");
    float[] embedding = new float[e.size()];
    for (int i = 0; i < embedding.length; i++) embedding[i] = (float) e.get(i).asDouble();
    MatmulFloor floor = null;
    JsonNode f = root.path("floor");
    if (!f.isMissingNode()) {
      floor =
          new MatmulFloor(
              f.path("matmul_n").asInt(),
              f.path("image_flop").asLong(),
              histogram(f.path("matmul_samples_ns")));
      // A zero would turn into an infinite speed or a zero floor in the report.
      if (floor.matmulN() <= 0 || floor.imageFlop() <= 0 || floor.matmul().getTotalCount() == 0) {
        System.err.println("bench: matmul floor left out: the open_clip peer's is incomplete");
        floor = null;
      }
    }
    return new Outcome(latencies, versions, embedding, floor);
  }

  /** A list of call times in nanoseconds, as the peer prints them. */
  private static Histogram histogram(JsonNode samplesNs) {
    Histogram h = new Histogram(Measurement.SIGNIFICANT_DIGITS);
    for (JsonNode sample : samplesNs) h.recordValue(sample.asLong());
    return h;
  }
}
