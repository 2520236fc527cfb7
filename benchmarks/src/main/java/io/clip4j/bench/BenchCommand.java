package io.clip4j.bench;

import io.clip4j.ClipException;
import io.clip4j.ClipOptions;
import io.clip4j.Device;
import io.clip4j.MicroBatcher;
import io.clip4j.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark harness: clip4j beside ONNX Runtime Java and open_clip, on the same weights and
 * inputs, one runtime at a time in one run (or in turns over several rounds). benchmarks/bench is
 * the launcher.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure clip4j beside ONNX Runtime Java and open_clip on the same weights.")
public final class BenchCommand implements Callable<Integer> {
  /** Prompts differ per row; the open_clip peer formats the same ones ("a photo of a {i}"). */
  static final String PROMPT = "a photo of a %d";

  /** Every runtime holds a call's inputs in memory at once; the sweep ends at 256. */
  static final int MAX_BATCH = 65_536;

  /** Each caller is a thread of its own. */
  static final int MAX_CALLERS = 1024;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "open_clip folder (hub layout)")
  Path model;

  @Option(
      names = "--onnx",
      description = "folder with image.onnx and text.onnx of the same weights")
  Path onnx;

  @Option(names = "--python", description = "Python with open_clip, for the open_clip peer")
  Path python;

  @Option(
      names = "--peer-script",
      description = "the open_clip peer script",
      defaultValue = "benchmarks/peers/openclip_peer.py")
  Path peerScript;

  @Option(names = "--image", required = true, description = "the JPEG every runtime embeds")
  Path image;

  @Option(
      names = "--threads",
      description = "intra-op threads of every runtime, 1 to 1024 (default: cores)")
  int threads = java.lang.Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--batches",
      split = ",",
      description = "batch sizes, 1 to 65536 (default: 1,4,16,64)",
      defaultValue = "1,4,16,64")
  List<Integer> batches;

  @Option(
      names = "--cases",
      split = ",",
      defaultValue = "image-model,image-e2e,text-model,text-e2e",
      description = "image-model, image-e2e, text-model, text-e2e")
  List<String> cases;

  @Option(
      names = "--callers",
      split = ",",
      defaultValue = "1,2,4,8",
      description = "concurrent caller threads, 1 to 1024, for image-model at batch 1")
  List<Integer> callers;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description =
          "clip4j's device: cpu, cuda[:N] (cuda: launch with CLIP4J_GPU=1, the gpu build)")
  String device;

  @Option(names = "--precision", defaultValue = "fp32", description = "clip4j's precision")
  String precision;

  @Option(names = "--warmup-seconds", defaultValue = "2")
  double warmupSeconds;

  @Option(names = "--seconds", defaultValue = "5", description = "time budget of each case")
  double seconds;

  @Option(names = "--min-iterations", defaultValue = "3")
  int minIterations;

  @Option(names = "--max-iterations", defaultValue = "500")
  int maxIterations;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description =
          "run every runtime's cases this many times, the runtimes taking turns, and pool the"
              + " calls: where the machine's speed drifts, each runtime then meets the same drift")
  int rounds;

  @Option(names = "--smoke", description = "a few calls per case: checks the harness, not speed")
  boolean smoke;

  @Option(names = "--output-dir", defaultValue = "target/bench-results")
  Path outputDir;

  public static void main(String[] args) {
    if (System.getProperty("org.bytedeco.javacpp.logger") == null) {
      System.setProperty("org.bytedeco.javacpp.logger", "slf4j");
    }
    CommandLine cli = new CommandLine(new BenchCommand());
    // A model that does not load or a file that cannot be read is the user's to fix: its message,
    // not a stack trace. Anything else is a harness bug and keeps its trace.
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (!(e instanceof ClipException || e instanceof IOException)) throw e;
          commandLine.getErr().println("bench: error: " + e.getMessage());
          return 1;
        });
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // Every option is checked before the first measurement, so a mistake costs no minutes.
    if (!isSeconds(warmupSeconds) || !isSeconds(seconds)) {
      throw usage("--warmup-seconds and --seconds take a number of seconds from 0");
    }
    if (minIterations < 1 || maxIterations < minIterations) {
      throw usage(
          "--min-iterations takes a whole number from 1, --max-iterations one from"
              + " --min-iterations");
    }
    MeasureSettings settings =
        smoke
            ? MeasureSettings.SMOKE
            : new MeasureSettings(warmupSeconds, seconds, minIterations, maxIterations);
    // A size, case or caller count listed twice is measured once.
    batches = batches.stream().distinct().toList();
    callers = callers.stream().distinct().toList();
    List<BenchCase> benchCases = new ArrayList<>();
    try {
      for (String kind : cases.stream().distinct().toList()) {
        for (int batch : batches) benchCases.add(new BenchCase(BenchCase.Kind.of(kind), batch));
      }
    } catch (IllegalArgumentException e) {
      throw usage("--cases: " + e.getMessage());
    }
    if (threads < 1
        || rounds < 1
        || batches.stream().anyMatch(b -> b < 1)
        || callers.stream().anyMatch(n -> n < 1)) {
      throw usage("--threads, --rounds, --batches and --callers take whole numbers from 1");
    }
    if (batches.stream().anyMatch(b -> b > MAX_BATCH)) {
      throw usage("--batches: at most " + MAX_BATCH + " inputs a call");
    }
    if (callers.stream().anyMatch(n -> n > MAX_CALLERS)) {
      throw usage("--callers: at most " + MAX_CALLERS + " threads");
    }
    if (threads > ClipOptions.MAX_THREADS) {
      throw usage("--threads: at most " + ClipOptions.MAX_THREADS + ", not " + threads);
    }
    if (!Files.isRegularFile(image)) {
      throw usage("--image: no file " + image);
    }
    Device clip4jDevice;
    try {
      clip4jDevice = Device.parse(device);
    } catch (IllegalArgumentException e) {
      throw usage("--device: " + e.getMessage());
    }
    Precision clip4jPrecision;
    try {
      clip4jPrecision = Precision.parse(precision);
    } catch (IllegalArgumentException e) {
      throw usage("--precision: " + e.getMessage());
    }
    try {
      Files.createDirectories(outputDir);
      if (!Files.isWritable(outputDir)) throw new IOException("not writable");
    } catch (IOException e) {
      throw usage("--output-dir: cannot write results to " + outputDir + " (" + e + ")");
    }
    int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
    byte[] jpeg = Files.readAllBytes(image);

    PooledResults pooled = new PooledResults();
    Map<String, Map<String, String>> runtimes = new LinkedHashMap<>();
    Map<String, float[]> embeddings = new LinkedHashMap<>();
    float[] reference;
    MatmulFloor floor = null;
    try (Clip4jRuntime clip4j =
            new Clip4jRuntime(model, threads, maxBatch, clip4jDevice, clip4jPrecision);
        OnnxRuntimePeer ort = OnnxRuntimePeer.openIfPresent(onnx, threads)) {
      Workload workload =
          new Workload(
              jpeg,
              clip4j.model().preprocess(jpeg),
              clip4j.model().info().imageSize(),
              PROMPT,
              clip4j.model()::tokenize);
      // A model-only batch must fit one PixelBatch (2 GB): refused now, not after the other cases.
      try {
        for (BenchCase c : benchCases) {
          if (c.kind() == BenchCase.Kind.IMAGE_MODEL) clip4j.prepare(c, workload);
        }
      } catch (IllegalArgumentException e) {
        throw usage("--batches: " + e.getMessage());
      }
      reference = clip4j.imageEmbedding(workload);
      List<Runtime> inProcess = new ArrayList<>(List.of(clip4j));
      if (ort != null) inProcess.add(ort);
      for (Runtime runtime : inProcess) {
        runtimes.put(runtime.name(), runtime.versions());
        if (runtime != clip4j) embeddings.put(runtime.name(), runtime.imageEmbedding(workload));
      }
      boolean openClipPresent = true;
      for (int round = 1; round <= rounds; round++) {
        String tag = rounds > 1 ? String.format(Locale.ROOT, "round %d/%d ", round, rounds) : "";
        for (Runtime runtime : inProcess)
          measure(runtime, benchCases, workload, settings, pooled, tag);
        measureMicroBatching(clip4j, workload, settings, pooled, tag);
        // open_clip in its own process, while the JVM's runtimes are idle.
        if (!openClipPresent) continue;
        // open_clip runs in clip4j's precision on clip4j's kind of device (on the CPU in fp32
        // where its torch has no CUDA). The floor is a float32 CPU product's: beside clip4j on a
        // GPU or in a half precision it would compare nothing.
        OpenClipPeer.Outcome openClip =
            OpenClipPeer.runIfPresent(
                python,
                peerScript,
                model,
                image,
                threads,
                clip4jDevice,
                clip4jPrecision,
                benchCases,
                settings,
                clip4jDevice.type() == Device.Type.CPU && clip4jPrecision == Precision.FP32);
        openClipPresent = openClip != null;
        if (!openClipPresent) continue;
        runtimes.put("open_clip", openClip.versions());
        embeddings.put("open_clip", openClip.imageEmbedding());
        openClip.latencies().forEach((c, h) -> report(tag, pooled.addSingle("open_clip", c, h)));
        if (openClip.floor() != null) {
          floor = floor == null ? openClip.floor() : floor.pooledWith(openClip.floor());
          MatmulFloor.Summary f = openClip.floor().summary();
          System.err.printf(
              Locale.ROOT,
              "bench: %smatmul floor: %.0f GFLOP/s, %.1f ms per image%n",
              tag,
              f.matmulGflops(),
              f.floorMsPerImage());
        }
      }
    }
    List<CaseResult> results = pooled.results();

    Map<String, Object> recorded = new LinkedHashMap<>();
    recorded.put("model", model.toString());
    recorded.put("image", image.getFileName().toString());
    recorded.put("threads", threads);
    recorded.put("device", device);
    recorded.put("settings", settings);
    recorded.put("rounds", rounds);
    BenchReport report =
        new BenchReport(
            Environment.describe(),
            recorded,
            runtimes,
            BenchReport.embeddingDiffs(reference, embeddings),
            floor == null ? null : floor.summary(),
            results);
    report.write(outputDir);
    System.out.println(report.markdown());
    System.err.println("bench: results in " + outputDir.toAbsolutePath());
    return 0;
  }

  /** NaN, infinity and negative numbers are not a time budget. */
  private static boolean isSeconds(double value) {
    return Double.isFinite(value) && value >= 0;
  }

  private CommandLine.ParameterException usage(String problem) {
    return new CommandLine.ParameterException(spec.commandLine(), problem);
  }

  /**
   * Concurrent single-image callers through clip4j's {@link MicroBatcher}: their requests are
   * coalesced into one native call, instead of each caller running its own.
   */
  private void measureMicroBatching(
      Clip4jRuntime clip4j,
      Workload workload,
      MeasureSettings settings,
      PooledResults pooled,
      String tag)
      throws InterruptedException {
    BenchCase one = new BenchCase(BenchCase.Kind.IMAGE_MODEL, 1);
    for (int n : callers) {
      if (n <= 1) continue;
      try (MicroBatcher<float[], float[]> batcher =
          new MicroBatcher<>(clip4j.model()::embedPixels, n, Duration.ofMillis(2))) {
        Measurement.Concurrent m =
            Measurement.concurrent(() -> batcher.submit(workload.pixels()).join(), n, settings);
        report(tag, pooled.addConcurrent("clip4j-microbatch", one, n, m));
      }
    }
  }

  /** One runtime's cases, alone and with concurrent callers, into the pool. */
  private void measure(
      Runtime runtime,
      List<BenchCase> benchCases,
      Workload workload,
      MeasureSettings settings,
      PooledResults pooled,
      String tag)
      throws Exception {
    for (BenchCase c : benchCases) {
      if (!runtime.supports(c.kind())) continue;
      Histogram latencies = Measurement.single(runtime.prepare(c, workload), settings);
      report(tag, pooled.addSingle(runtime.name(), c, latencies));
    }
    BenchCase one = new BenchCase(BenchCase.Kind.IMAGE_MODEL, 1);
    for (int n : callers) {
      if (n <= 1 || !runtime.threadSafe()) continue;
      Measurement.Concurrent m =
          Measurement.concurrent(runtime.prepare(one, workload), n, settings);
      report(tag, pooled.addConcurrent(runtime.name(), one, n, m));
    }
  }

  private static void report(String tag, CaseResult r) {
    System.err.printf(
        Locale.ROOT,
        "bench: %s%-16s %-11s batch %3d callers %2d: p50 %8.2f ms  p99 %8.2f ms  %8.1f items/s%n",
        tag,
        r.runtime(),
        r.kind(),
        r.batch(),
        r.callers(),
        r.p50Ms(),
        r.p99Ms(),
        r.itemsPerSecond());
  }
}
