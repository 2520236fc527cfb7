package io.clip4j.cli;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clip4j preprocess}: the model's input tensor for one image, as a .npy file. */
@Command(
    name = "preprocess",
    description = "Write the preprocessed float32 CHW tensor of an image as .npy.")
final class PreprocessCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image file.")
  Path image;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "FILE.npy",
      description = "Where to write the tensor.")
  Path output;

  @Override
  public Integer call() throws Exception {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(image);
    } catch (NoSuchFileException e) {
      throw new ClipException(ErrorCode.IO_ERROR, "no such file: " + image);
    }
    try (ClipModel model = modelOptions.load(true)) {
      int size = model.info().imageSize();
      float[] pixels = ImageErrors.naming(List.of(image), () -> model.preprocess(bytes));
      NpyWriter.writeFloat32(output, pixels, new int[] {3, size, size});
    } catch (IOException e) {
      throw new ClipException(
          ErrorCode.IO_ERROR, "cannot write " + output + ": " + e.getMessage(), e);
    }
    return 0;
  }
}
