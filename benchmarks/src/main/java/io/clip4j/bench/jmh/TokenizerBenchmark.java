package io.clip4j.bench.jmh;

import io.clip4j.tokenizer.ClipTokenizer;
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
import org.openjdk.jmh.annotations.Warmup;

/** The Java tokenizer alone: text cleaning and BPE for one prompt of 77 ids. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenizerBenchmark {
  @Param({
    "a photo of a cat.",
    "An axial T1-weighted MRI slice of a brain with a contrast-enhancing lesion in the left"
        + " temporal lobe, surrounded by oedema."
  })
  public String text;

  private ClipTokenizer tokenizer;

  @Setup
  public void setUp() {
    tokenizer = ClipTokenizer.clipVocabulary();
  }

  @Benchmark
  public long[] tokenize() {
    return tokenizer.tokenize(text, ClipTokenizer.DEFAULT_CONTEXT_LENGTH);
  }
}
