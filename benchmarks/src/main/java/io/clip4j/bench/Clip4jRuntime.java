package io.clip4j.bench;

import io.clip4j.ClipModel;
import io.clip4j.ClipOptions;
import io.clip4j.Device;
import io.clip4j.PixelBatch;
import io.clip4j.Precision;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** clip4j through its public Java API, exactly as a service would call it. */
final class Clip4jRuntime implements Runtime {
  private final ClipModel model;
  private final double loadSeconds;
  // Per batch size, made once and kept for every round (pinning takes milliseconds on a GPU).
  private final Map<Integer, PixelBatch> pixelBatches = new HashMap<>();

  Clip4jRuntime(Path checkpoint, int threads, int maxBatch, Device device, Precision precision) {
    long start = System.nanoTime();
    // normalize(false): raw projections, as the peers return them; batchSize(maxBatch): every
    // measured call is one native call.
    this.model =
        ClipModel.load(
            checkpoint,
            ClipOptions.builder()
                .threads(threads)
                .batchSize(maxBatch)
                .device(device)
                .precision(precision)
                .normalize(false)
                .build());
    this.loadSeconds = (System.nanoTime() - start) / 1e9;
  }

  ClipModel model() {
    return model;
  }

  @Override
  public String name() {
    return "clip4j";
  }

  @Override
  public Map<String, String> versions() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("clip4j", "0.1.0 (libtorch 2.13.0, JavaCPP 1.5.14)");
    versions.put("precision", model.options().precision().toString());
    versions.put("device", model.options().device().toString());
    versions.put("load_seconds", String.format("%.2f", loadSeconds));
    return versions;
  }

  @Override
  public boolean supports(BenchCase.Kind kind) {
    return true;
  }

  @Override
  public Runnable prepare(BenchCase c, Workload w) {
    int batch = c.batch();
    switch (c.kind()) {
      case IMAGE_MODEL:
        // The input prepared once, as ONNX Runtime's tensor, in a PixelBatch: read in place on the
        // CPU (a direct buffer), and on a GPU copied to the device from pinned memory as it lies:
        // the protocol, and PyTorch's (pinned input, non_blocking copy).
        PixelBatch pixels = pixelBatch(w, batch);
        return () -> model.embedPixels(pixels, batch);
      case IMAGE_E2E:
        List<byte[]> images = w.images(batch);
        return () -> model.embedEncodedImages(images);
      case TEXT_MODEL:
        long[][] tokens = w.tokens(batch);
        return () -> model.embedTokens(tokens);
      case TEXT_E2E:
        List<String> prompts = w.prompts(batch);
        return () -> model.embedTexts(prompts);
      default:
        throw new IllegalArgumentException(c.toString());
    }
  }

  @Override
  public float[] imageEmbedding(Workload w) {
    return model.embedPixels(List.of(w.pixels())).get(0);
  }

  private PixelBatch pixelBatch(Workload w, int batch) {
    return pixelBatches.computeIfAbsent(
        batch,
        size -> {
          PixelBatch b = model.newPixelBatch(size);
          for (int i = 0; i < size; i++) b.image(i).put(w.pixels());
          return b;
        });
  }

  @Override
  public void close() {
    pixelBatches.values().forEach(PixelBatch::close);
    model.close();
  }
}
