package io.clip4j.bench.jmh;

import io.clip4j.ClipModel;
import io.clip4j.ClipOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Preprocessed pixels' way into the runner: {@code embedPixels(List<float[]>)} (scanned,
 * concatenated and JNI-copied in Java) against {@code embedPixels(FloatBuffer)} on a direct buffer
 * (read in place). The test fixture vit-tiny takes 224 x 224 inputs with a tower so small that the
 * call is mostly the input's way in, as it is beside a GPU's forward pass. Run from the checkout.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dorg.bytedeco.javacpp.logger=slf4j"})
public class PixelInputBenchmark {
  @Param({"1", "64"})
  public int batch;

  private ClipModel model;
  private List<float[]> list;
  private FloatBuffer direct;

  @Setup
  public void setUp() throws Exception {
    model =
        ClipModel.load(
            Path.of(System.getProperty("bench.model", "models/fixtures/vit-tiny")),
            ClipOptions.builder().threads(2).batchSize(batch).build());
    float[] pixels = model.preprocess(BenchImage.bytes());
    list = Collections.nCopies(batch, pixels);
    direct =
        ByteBuffer.allocateDirect(Float.BYTES * batch * pixels.length)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    for (int i = 0; i < batch; i++) direct.put(pixels);
    direct.flip();
  }

  @TearDown
  public void tearDown() {
    model.close();
  }

  @Benchmark
  public List<float[]> arrays() {
    return model.embedPixels(list);
  }

  @Benchmark
  public List<float[]> directBuffer() {
    return model.embedPixels(direct);
  }
}
