package io.clip4j.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JPEG the JMH benchmarks decode: {@code -Dbench.image=FILE}, or the fixture photo. */
final class BenchImage {
  private BenchImage() {}

  static byte[] bytes() throws IOException {
    return Files.readAllBytes(
        Path.of(System.getProperty("bench.image", "models/fixtures/images/astronaut.jpg")));
  }
}
