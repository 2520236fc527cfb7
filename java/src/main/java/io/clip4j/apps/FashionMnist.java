package io.clip4j.apps;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.ErrorCode;
import io.clip4j.RgbImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST in its IDX files ({@code t10k-images-idx3-ubyte[.gz]} and labels; Debian's
 * dataset-fashion-mnist installs them in /usr/share/datasets/fashion-mnist). 28x28 grey images,
 * handed to the model as RGB pixels (grey repeated, as PIL's convert("RGB") does).
 */
public final class FashionMnist implements LabeledImages {
  public static final Path DEBIAN_LOCATION = Path.of("/usr/share/datasets/fashion-mnist");

  /** The ten classes in label order, named as the demo model was trained. */
  public static final List<String> CLASSES = io.clip4j.DemoModel.LABELS;

  private final String split;
  private final int rows;
  private final int cols;
  private final byte[][] images;
  private final byte[] labels;

  /** {@code split} is "t10k" (the 10,000 test images) or "train" (60,000). */
  public FashionMnist(Path folder, String split) {
    this.split = split;
    try {
      DataInputStream imageData = open(folder, split + "-images-idx3-ubyte");
      DataInputStream labelData = open(folder, split + "-labels-idx1-ubyte");
      try (imageData;
          labelData) {
        if (imageData.readInt() != 0x803 || labelData.readInt() != 0x801) {
          throw new ClipException(
              ErrorCode.INVALID_ARGUMENT, folder + ": not IDX image and label files");
        }
        int count = imageData.readInt();
        rows = imageData.readInt();
        cols = imageData.readInt();
        if (labelData.readInt() != count
            || count <= 0
            || rows <= 0
            || cols <= 0
            || rows * cols > 1 << 20) {
          throw new ClipException(
              ErrorCode.INVALID_ARGUMENT, folder + ": IDX headers disagree or are absurd");
        }
        images = new byte[count][rows * cols];
        for (byte[] image : images) {
          imageData.readFully(image);
        }
        labels = new byte[count];
        labelData.readFully(labels);
        for (byte label : labels) {
          if (label < 0 || label >= CLASSES.size()) {
            throw new ClipException(
                ErrorCode.INVALID_ARGUMENT, folder + ": label " + label + " outside 0..9");
          }
        }
      }
    } catch (IOException e) {
      throw new ClipException(
          ErrorCode.IO_ERROR,
          "cannot read Fashion-MNIST from " + folder + ": " + e.getMessage(),
          e);
    }
  }

  /** Whether {@code folder} holds Fashion-MNIST-style IDX files for {@code split}. */
  public static boolean isIn(Path folder, String split) {
    return Files.exists(folder.resolve(split + "-images-idx3-ubyte.gz"))
        || Files.exists(folder.resolve(split + "-images-idx3-ubyte"));
  }

  private static DataInputStream open(Path folder, String name) throws IOException {
    Path gz = folder.resolve(name + ".gz");
    InputStream in =
        Files.exists(gz)
            ? new GZIPInputStream(Files.newInputStream(gz), 1 << 16)
            : Files.newInputStream(folder.resolve(name));
    return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
  }

  /** The grey pixels of image {@code i}, row-major. */
  public byte[] pixels(int i) {
    return images[i].clone();
  }

  @Override
  public List<String> classes() {
    return CLASSES;
  }

  @Override
  public int size() {
    return images.length;
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public String name(int i) {
    return "fashion-mnist/" + split + "/" + i;
  }

  @Override
  public List<float[]> embed(ClipModel model, int from, int to) {
    List<RgbImage> batch = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      byte[] rgb = new byte[rows * cols * 3];
      for (int p = 0; p < rows * cols; p++) {
        rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = images[i][p];
      }
      batch.add(new RgbImage(rgb, cols, rows));
    }
    return model.embedRgb(batch);
  }
}
