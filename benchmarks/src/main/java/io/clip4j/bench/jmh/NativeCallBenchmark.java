package io.clip4j.bench.jmh;

import io.clip4j.ClipModel;
import io.clip4j.ClipOptions;
import io.clip4j.DemoModel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost around the model: decode + PIL-exact preprocessing of a JPEG, and whole native calls on
 * the bundled demo model, whose towers are so small that the call is mostly the JNI crossing,
 * argument copies and libtorch's dispatch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dorg.bytedeco.javacpp.logger=slf4j"})
public class NativeCallBenchmark {
  private ClipModel demo;
  private byte[] jpeg;
  private long[][] tokens;
  private List<float[]> pixels;

  @Setup
  public void setUp() throws Exception {
    demo = DemoModel.load(ClipOptions.builder().threads(1).build());
    jpeg = BenchImage.bytes();
    tokens = demo.tokenize(List.of("a photo of a sneaker"));
    pixels = List.of(demo.preprocess(jpeg));
  }

  @TearDown
  public void tearDown() {
    demo.close();
  }

  /** JPEG bytes to the model's input floats: one native call, decode and resize included. */
  @Benchmark
  public float[] preprocessJpeg() {
    return demo.preprocess(jpeg);
  }

  /** One text row through the demo's tiny text tower. */
  @Benchmark
  public List<float[]> embedTokensTiny() {
    return demo.embedTokens(tokens);
  }

  /** One preprocessed image through the demo's tiny image tower. */
  @Benchmark
  public List<float[]> embedPixelsTiny() {
    return demo.embedPixels(pixels);
  }
}
