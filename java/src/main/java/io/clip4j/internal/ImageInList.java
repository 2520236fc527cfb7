package io.clip4j.internal;

import io.clip4j.ClipException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runner's way of naming a bad image in a batch, {@code "image N: problem"}: read in one place
 * by the API (which numbers across native calls) and the CLI (which names the file).
 *
 * @param index the image's position in its list
 * @param problem what is wrong with it
 */
public record ImageInList(int index, String problem) {
  private static final Pattern MESSAGE = Pattern.compile("^image (\\d+): (.*)$", Pattern.DOTALL);

  /** The image an exception's message names, if it names one. */
  public static Optional<ImageInList> of(ClipException e) {
    String detail = e.getMessage().substring(e.code().toString().length() + 2);
    Matcher m = MESSAGE.matcher(detail);
    return m.matches()
        ? Optional.of(new ImageInList(Integer.parseInt(m.group(1)), m.group(2)))
        : Optional.empty();
  }

  /** The message the runner writes for this image. */
  public String message() {
    return "image " + index + ": " + problem;
  }
}
