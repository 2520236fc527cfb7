package io.clip4j.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Text files read as strict UTF-8. Java's own decoder says only "Input length = 1" of a file that
 * is not UTF-8; this names the file, the line and the byte.
 */
public final class Utf8Text {
  private Utf8Text() {}

  /** A file that is not UTF-8 text. */
  public static final class MalformedException extends IOException {
    MalformedException(String message) {
      super(message);
    }
  }

  /** The whole file. */
  public static String read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int at = in.position();
      int line = 1;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') line++;
      }
      throw new MalformedException(
          String.format(
              "%s is not UTF-8 text: line %d holds the invalid byte 0x%02X (byte %d of the file)",
              file, line, bytes[at] & 0xff, at));
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /** The file's lines, split as {@link Files#readAllLines} splits them. */
  public static List<String> lines(Path file) throws IOException {
    return new BufferedReader(new StringReader(read(file))).lines().toList();
  }
}
