import io.clip4j.ClipModel;
import io.clip4j.ClipOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * clip4j's CPU timings for the quick comparison (benchmarks/cpu-quick.sh), the same measurements as
 * openclip_cpu.py: median milliseconds, model-only and end-to-end, batch 1 and 32. Run as a
 * single-file program: java -cp CLASSPATH benchmarks/Clip4jCpuQuick.java FOLDER IMAGE THREADS
 */
public class Clip4jCpuQuick {
  static double medianSeconds(Runnable fn, int warmup, int repeat) {
    for (int i = 0; i < warmup; i++) fn.run();
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < repeat; i++) {
      long t = System.nanoTime();
      fn.run();
      times.add((System.nanoTime() - t) / 1e9);
    }
    Collections.sort(times);
    return times.get(times.size() / 2);
  }

  public static void main(String[] args) throws Exception {
    Path folder = Path.of(args[0]);
    byte[] image = Files.readAllBytes(Path.of(args[1]));
    int threads = Integer.parseInt(args[2]);
    long loadStart = System.nanoTime();
    try (ClipModel model = ClipModel.load(folder, ClipOptions.builder().threads(threads).build())) {
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      float[] pixels = model.preprocess(image);
      List<float[]> one = List.of(pixels);
      List<float[]> many = Collections.nCopies(32, pixels);
      List<String> texts = Collections.nCopies(32, "a photo of a cat");
      double b1 = medianSeconds(() -> model.embedPixels(one), 3, 20);
      double b32 = medianSeconds(() -> model.embedPixels(many), 1, 3) / 32;
      double e2e = medianSeconds(() -> model.embedImage(image), 3, 20);
      double text = 32 / medianSeconds(() -> model.embedTexts(texts), 1, 5);
      System.out.printf(
          "{\"load_s\": %.2f, \"image_model_b1_ms\": %.2f, \"image_model_b32_ms_per_image\": %.2f, \"image_e2e_b1_ms\": %.2f, \"text_b32_per_s\": %.2f}%n",
          loadSeconds, b1 * 1e3, b32 * 1e3, e2e * 1e3, text);
    }
  }
}
