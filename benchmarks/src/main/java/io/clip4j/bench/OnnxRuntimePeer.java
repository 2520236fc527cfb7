package io.clip4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX Runtime's Java API on an ONNX export of the same weights (benchmarks/peers/export_onnx.py):
 * the model-only cases, since ONNX Runtime has no image decoding or tokenizer of its own.
 */
final class OnnxRuntimePeer implements Runtime {
  private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
  private final OrtSession image;
  private final OrtSession text;
  private final int threads;

  private OnnxRuntimePeer(Path folder, int threads) throws OrtException {
    this.threads = threads;
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(threads);
    options.setInterOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    this.image = environment.createSession(folder.resolve("image.onnx").toString(), options);
    this.text = environment.createSession(folder.resolve("text.onnx").toString(), options);
  }

  /** The peer, or null with the reason printed when the export is not there. */
  static OnnxRuntimePeer openIfPresent(Path folder, int threads) throws OrtException {
    if (folder == null
        || !Files.isRegularFile(folder.resolve("image.onnx"))
        || !Files.isRegularFile(folder.resolve("text.onnx"))) {
      System.err.println(
          "bench: ONNX Runtime skipped: "
              + (folder == null ? "no --onnx folder" : "no image.onnx and text.onnx in " + folder)
              + " (benchmarks/peers/export_onnx.py writes them)");
      return null;
    }
    return new OnnxRuntimePeer(folder, threads);
  }

  @Override
  public String name() {
    return "onnxruntime-java";
  }

  @Override
  public Map<String, String> versions() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("onnxruntime", environment.getVersion());
    versions.put("intra_op_threads", Integer.toString(threads));
    versions.put("precision", "FP32");
    return versions;
  }

  @Override
  public boolean supports(BenchCase.Kind kind) {
    return kind == BenchCase.Kind.IMAGE_MODEL || kind == BenchCase.Kind.TEXT_MODEL;
  }

  @Override
  public Runnable prepare(BenchCase c, Workload w) throws OrtException {
    int batch = c.batch();
    OnnxTensor input;
    OrtSession session;
    String name;
    if (c.kind() == BenchCase.Kind.IMAGE_MODEL) {
      input = pixelTensor(w, batch);
      session = image;
      name = "pixels";
    } else if (c.kind() == BenchCase.Kind.TEXT_MODEL) {
      long[][] rows = w.tokens(batch);
      LongBuffer ids = LongBuffer.allocate(batch * rows[0].length);
      for (long[] row : rows) ids.put(row);
      ids.flip();
      input = OnnxTensor.createTensor(environment, ids, new long[] {batch, rows[0].length});
      session = text;
      name = "tokens";
    } else {
      throw new IllegalArgumentException("ONNX Runtime does not run " + c);
    }
    Map<String, OnnxTensor> inputs = Map.of(name, input);
    return () -> {
      try (OrtSession.Result result = session.run(inputs)) {
        // The output stays in native memory: copying it out is no part of the model's time.
      } catch (OrtException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private OnnxTensor pixelTensor(Workload w, int batch) throws OrtException {
    int size = w.imageSize();
    FloatBuffer pixels = FloatBuffer.allocate(batch * w.pixels().length);
    for (int i = 0; i < batch; i++) pixels.put(w.pixels());
    pixels.flip();
    return OnnxTensor.createTensor(environment, pixels, new long[] {batch, 3, size, size});
  }

  @Override
  public float[] imageEmbedding(Workload w) throws OrtException {
    try (OnnxTensor input = pixelTensor(w, 1);
        OrtSession.Result result = image.run(Map.of("pixels", input))) {
      float[][] out = (float[][]) result.get(0).getValue();
      return Arrays.copyOf(out[0], out[0].length);
    }
  }

  @Override
  public void close() throws OrtException {
    image.close();
    text.close();
  }
}
