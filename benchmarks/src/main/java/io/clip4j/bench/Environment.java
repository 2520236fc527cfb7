package io.clip4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine and software a result was measured on, recorded with every result file. */
final class Environment {
  private Environment() {}

  static Map<String, String> describe() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("date", Instant.now().toString());
    env.put("cpu", cpuModel());
    env.put("cores", Integer.toString(java.lang.Runtime.getRuntime().availableProcessors()));
    env.put("memory_gib", String.format("%.1f", totalMemoryGib()));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    // glibc's malloc settings decide whether each call's activations are fresh pages from the
    // kernel (benchmarks/bench sets them for every runtime; the README's Configuration says why).
    env.put("GLIBC_TUNABLES", System.getenv().getOrDefault("GLIBC_TUNABLES", "(unset)"));
    return env;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
      }
    } catch (IOException e) {
      // not Linux: fall through
    }
    return System.getProperty("os.arch");
  }

  private static double totalMemoryGib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return Double.NaN;
  }
}
