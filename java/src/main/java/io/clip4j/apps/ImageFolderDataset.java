package io.clip4j.apps;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A folder of class subfolders ({@code data/cat/1.jpg}, {@code data/dog/2.png}, ...), as
 * torchvision's ImageFolder reads it: classes in sorted order, class names from the folder names
 * with underscores as spaces, image files by extension.
 */
public final class ImageFolderDataset implements LabeledImages {
  private static final Set<String> EXTENSIONS =
      Set.of("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "gif", "pgm", "ppm");

  private final List<String> classes = new ArrayList<>();
  private final List<Path> files = new ArrayList<>();
  private final List<Integer> labels = new ArrayList<>();

  public ImageFolderDataset(Path root) {
    if (!Files.isDirectory(root)) {
      throw new ClipException(ErrorCode.IO_ERROR, "no such folder: " + root);
    }
    try (Stream<Path> dirs = Files.list(root)) {
      List<Path> classDirs = dirs.filter(Files::isDirectory).sorted().toList();
      for (Path dir : classDirs) {
        int label = classes.size();
        classes.add(dir.getFileName().toString().replace('_', ' '));
        try (Stream<Path> images = Files.walk(dir)) {
          images
              .filter(Files::isRegularFile)
              .filter(ImageFolderDataset::isImage)
              .sorted()
              .forEach(
                  p -> {
                    files.add(p);
                    labels.add(label);
                  });
        }
      }
    } catch (IOException e) {
      throw new ClipException(ErrorCode.IO_ERROR, "cannot list " + root + ": " + e.getMessage(), e);
    }
    if (classes.size() < 2 || files.isEmpty()) {
      throw new ClipException(
          ErrorCode.INVALID_ARGUMENT,
          root
              + " needs at least two class subfolders with images (found "
              + classes.size()
              + " folders, "
              + files.size()
              + " images)");
    }
  }

  private static boolean isImage(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  @Override
  public List<String> classes() {
    return classes;
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public int label(int i) {
    return labels.get(i);
  }

  @Override
  public String name(int i) {
    return files.get(i).toString();
  }

  @Override
  public List<float[]> embed(ClipModel model, int from, int to) {
    return model.embedImageFiles(files.subList(from, to));
  }
}
