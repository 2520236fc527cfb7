package io.clip4j.cli;

import io.clip4j.internal.Utf8Text;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --text STRING...} or {@code --texts-file FILE} (one text per line, UTF-8). */
final class TextInputs {
  @Option(
      names = "--text",
      paramLabel = "STRING",
      arity = "1..*",
      description = "Texts to process.")
  List<String> texts;

  @Option(
      names = "--texts-file",
      paramLabel = "FILE",
      description = "A UTF-8 file with one text per line.")
  Path textsFile;

  List<String> read() throws IOException {
    List<String> out = new ArrayList<>();
    if (texts != null) {
      out.addAll(texts);
    }
    if (textsFile != null) {
      out.addAll(Utf8Text.lines(textsFile));
    }
    return out;
  }
}
