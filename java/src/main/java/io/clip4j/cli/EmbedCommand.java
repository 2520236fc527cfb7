package io.clip4j.cli;

import io.clip4j.ClipModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clip4j embed}: image or text embeddings as JSON lines. */
@Command(
    name = "embed",
    description =
        "Print image or text embeddings, one JSON object a line: {\"input\": ..., \"embedding\": [...]}.")
final class EmbedCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Inputs inputs;

  static final class Inputs {
    @Option(names = "--image", paramLabel = "FILE", arity = "1..*", description = "Image files.")
    List<Path> images;

    @ArgGroup(exclusive = false)
    TextInputs texts;
  }

  @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE instead of stdout.")
  Path output;

  @Option(
      names = "--verbose",
      description = "Print the model, its load time and the embedding time on stderr.")
  boolean verbose;

  @Option(
      names = "--raw",
      description = "The unnormalised projection instead of the L2-normalised embedding.")
  boolean raw;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    try (ClipModel model = modelOptions.load(!raw);
        JsonLines out = new JsonLines(output)) {
      long loaded = System.nanoTime();
      if (verbose) {
        System.err.printf(
            "clip4j: loaded %s (%s, %,d parameters; %d of %d linear layers on clip4j's CPU"
                + " kernels) in %.2f s%n",
            model.info().architecture(),
            model.info().format(),
            model.info().parameterCount(),
            model.info().packedLinearLayers(),
            model.info().linearLayers(),
            (loaded - started) / 1e9);
      }
      int batch = modelOptions.batch();
      if (inputs.images != null) {
        for (int start = 0; start < inputs.images.size(); start += batch) {
          List<Path> files =
              inputs.images.subList(start, Math.min(inputs.images.size(), start + batch));
          List<float[]> embeddings = ImageErrors.naming(files, () -> model.embedImageFiles(files));
          for (int i = 0; i < files.size(); i++) {
            out.write(line(files.get(i).toString(), embeddings.get(i)));
          }
        }
      } else {
        List<String> texts = inputs.texts.read();
        if (texts.isEmpty()) {
          throw new IllegalArgumentException("no texts given: use --text or --texts-file");
        }
        for (int start = 0; start < texts.size(); start += batch) {
          List<String> chunk = texts.subList(start, Math.min(texts.size(), start + batch));
          List<float[]> embeddings = model.embedTexts(chunk);
          for (int i = 0; i < chunk.size(); i++) {
            out.write(line(chunk.get(i), embeddings.get(i)));
          }
        }
      }
      if (verbose) {
        System.err.printf("clip4j: embedded in %.2f s%n", (System.nanoTime() - loaded) / 1e9);
      }
    }
    return 0;
  }

  private static Map<String, Object> line(String input, float[] embedding) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("input", input);
    line.put("embedding", embedding);
    return line;
  }
}
