package io.clip4j.cli;

import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import io.clip4j.internal.ImageInList;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Turns the runner's "image N: ..." into the name of the file the user gave. */
final class ImageErrors {
  private ImageErrors() {}

  static <T> T naming(List<Path> files, Supplier<T> body) {
    try {
      return body.get();
    } catch (ClipException e) {
      if (e.code() == ErrorCode.BAD_IMAGE) {
        Optional<ImageInList> image = ImageInList.of(e);
        if (image.isPresent() && image.get().index() < files.size()) {
          throw new ClipException(
              ErrorCode.BAD_IMAGE,
              files.get(image.get().index()) + ": " + image.get().problem(),
              e);
        }
      }
      throw e;
    }
  }
}
