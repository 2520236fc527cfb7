package io.clip4j.cli;

import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the runner's "image N: ..." into the name of the file the user gave. */
final class ImageErrors {
  private static final Pattern INDEX = Pattern.compile("^image (\\d+): (.*)$", Pattern.DOTALL);

  private ImageErrors() {}

  static <T> T naming(List<Path> files, Supplier<T> body) {
    try {
      return body.get();
    } catch (ClipException e) {
      if (e.code() == ErrorCode.BAD_IMAGE) {
        String message = e.getMessage().substring(e.code().toString().length() + 2);
        Matcher m = INDEX.matcher(message);
        if (m.matches() && Integer.parseInt(m.group(1)) < files.size()) {
          throw new ClipException(
              ErrorCode.BAD_IMAGE, files.get(Integer.parseInt(m.group(1))) + ": " + m.group(2), e);
        }
      }
      throw e;
    }
  }
}
