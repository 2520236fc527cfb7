package io.clip4j.cli;

import io.clip4j.ClipException;
import io.clip4j.config.ModelComplexity;
import io.clip4j.config.ModelConfig;
import io.clip4j.config.OpenClipConfigReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clip4j models}: the architectures clip4j knows, with their size and cost. */
@Command(
    name = "models",
    description =
        "List the architectures clip4j runs (open_clip's configs): image size, embedding size,"
            + " parameters and GFLOPs per image and per text (77 tokens).")
final class ModelsCommand implements Callable<Integer> {
  @Option(names = "--json", description = "One JSON object a line instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    try (JsonLines out = new JsonLines(null)) {
      if (!json) {
        System.out.printf(
            "%-24s %-7s %6s %6s %10s %10s %10s %12s %11s%n",
            "architecture",
            "tower",
            "image",
            "embed",
            "image M",
            "text M",
            "total M",
            "image GFLOP",
            "text GFLOP");
      }
      for (String name : OpenClipConfigReader.builtInNames()) {
        ModelConfig config;
        try {
          config = OpenClipConfigReader.read(name, OpenClipConfigReader.builtIn(name), null);
        } catch (ClipException unsupported) {
          continue;
        }
        ModelComplexity c = ModelComplexity.of(config);
        String tower = config.vision().isResNet() ? "ResNet" : "ViT";
        if (json) {
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("architecture", name);
          line.put("tower", tower);
          line.put("image_size", config.preprocess().size());
          line.put("embedding_size", config.embedDim());
          line.put("image_parameters", c.imageParameters());
          line.put("text_parameters", c.textParameters());
          line.put("total_parameters", c.totalParameters());
          line.put("image_gflops", Math.round(c.imageFlops() / 1e7) / 100.0);
          line.put("text_gflops", Math.round(c.textFlops() / 1e7) / 100.0);
          out.write(line);
        } else {
          System.out.printf(
              "%-24s %-7s %6d %6d %10.2f %10.2f %10.2f %12.2f %11.2f%n",
              name,
              tower,
              config.preprocess().size(),
              config.embedDim(),
              c.imageParameters() / 1e6,
              c.textParameters() / 1e6,
              c.totalParameters() / 1e6,
              c.imageFlops() / 1e9,
              c.textFlops() / 1e9);
        }
      }
    }
    return 0;
  }
}
