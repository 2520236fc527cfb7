package io.clip4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The demo model that ships inside the jar: a small CLIP trained with open_clip on Fashion-MNIST's
 * training split (models/train_demo_model.py), for trying clip4j without a checkpoint of your own.
 * It knows ten clothing classes; it is no general-purpose CLIP.
 */
public final class DemoModel {
  private static final String RESOURCE_DIR = "/io/clip4j/demo/fashion-clip/";
  private static final String[] FILES = {"open_clip_config.json", "open_clip_model.safetensors"};

  /** The ten Fashion-MNIST classes, in label order. */
  public static final java.util.List<String> LABELS =
      java.util.List.of(
          "t-shirt",
          "trouser",
          "pullover",
          "dress",
          "coat",
          "sandal",
          "shirt",
          "sneaker",
          "bag",
          "ankle boot");

  /** The caption templates the demo model was trained with; zero-shot works best with them. */
  public static final java.util.List<String> TEMPLATES =
      java.util.List.of(
          "a photo of a {}.",
          "a picture of a {}.",
          "an image of a {}.",
          "a black and white photo of a {}.",
          "a product photo of a {}.",
          "a low resolution photo of a {}.",
          "a grayscale picture of a {}.",
          "a {} on a black background.",
          "a photo of the {}.",
          "a small photo of a {}.");

  private DemoModel() {}

  /** Loads the demo model with {@code options}. */
  public static ClipModel load(ClipOptions options) {
    return ClipModel.load(path(), options);
  }

  /**
   * The demo model as an open_clip folder on disk: unpacked once from the jar into {@code
   * clip4j.demo.dir} (default: a folder under {@code java.io.tmpdir}).
   */
  public static synchronized Path path() {
    Path dir =
        Path.of(
            System.getProperty(
                "clip4j.demo.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "clip4j-demo-fashion-clip-v1")
                    .toString()));
    try {
      Files.createDirectories(dir);
      for (String file : FILES) {
        Path target = dir.resolve(file);
        if (Files.isRegularFile(target)) {
          continue;
        }
        try (InputStream in = DemoModel.class.getResourceAsStream(RESOURCE_DIR + file)) {
          if (in == null) {
            throw new ClipException(
                ErrorCode.INTERNAL, "the demo model is missing from this jar: " + file);
          }
          Path partial = Files.createTempFile(dir, file, ".partial");
          Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
          Files.move(
              partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new ClipException(
          ErrorCode.IO_ERROR,
          "cannot unpack the demo model into " + dir + ": " + e.getMessage(),
          e);
    }
    return dir;
  }
}
