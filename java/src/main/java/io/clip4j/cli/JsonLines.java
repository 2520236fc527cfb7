package io.clip4j.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One JSON object a line, to stdout or a file. */
final class JsonLines implements Closeable {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  private final Writer out;
  private final boolean ownsOutput;

  JsonLines(Path file) throws IOException {
    if (file == null) {
      out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
      ownsOutput = false;
    } else {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      ownsOutput = true;
    }
  }

  void write(Object value) throws IOException {
    JSON.writeValue(out, value);
    out.write('\n');
  }

  @Override
  public void close() throws IOException {
    if (ownsOutput) {
      out.close();
    } else {
      out.flush();
    }
  }
}
