package io.clip4j.cli;

import io.clip4j.config.CheckpointResolver;
import io.clip4j.config.CheckpointResolver.ResolvedCheckpoint;
import io.clip4j.config.ModelConfig;
import io.clip4j.tokenizer.ClipTokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code clip4j tokenize}: the model's token ids, without loading its weights. */
@Command(
    name = "tokenize",
    description = "Print token ids, one JSON object a line: {\"input\": ..., \"ids\": [...]}.")
final class TokenizeCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @ArgGroup(exclusive = false, multiplicity = "1")
  TextInputs texts;

  @Override
  public Integer call() throws Exception {
    ResolvedCheckpoint checkpoint =
        CheckpointResolver.resolve(modelOptions.modelPath(), modelOptions.architecture());
    ModelConfig config = checkpoint.config();
    List<String> inputs = texts.read();
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("no texts given: use --text or --texts-file");
    }
    ClipTokenizer tokenizer = checkpoint.tokenizerOrDefault();
    try (JsonLines out = new JsonLines(null)) {
      for (String text : inputs) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("input", text);
        line.put("ids", tokenizer.tokenize(text, config.text().contextLength()));
        out.write(line);
      }
    }
    return 0;
  }
}
