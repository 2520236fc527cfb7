package io.clip4j.internal;

import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * A checkpoint's container format and tensor shapes, read natively without loading any weights
 * ({@code clip4j_checkpoint_describe}). Used to infer architectures from OpenAI's archives.
 *
 * @param format "safetensors", "torch.save" or "torchscript"
 * @param shapes tensor name to shape, in name order
 */
public record CheckpointListing(String format, Map<String, long[]> shapes) {
  public boolean isTorchScript() {
    return format.equals("torchscript");
  }

  /** The shape of {@code name}, or a {@link ClipException} naming the tensor that is missing. */
  public long[] shape(String name) {
    long[] shape = shapes.get(name);
    if (shape == null) {
      throw new ClipException(ErrorCode.BAD_CHECKPOINT, "checkpoint has no tensor " + name);
    }
    return shape;
  }

  /**
   * Dimension {@code index} of {@code name}'s shape, or a {@link ClipException} saying the shape
   * has too few dimensions (the file chooses the shapes).
   */
  public long dim(String name, int index) {
    long[] shape = shape(name);
    if (index >= shape.length) {
      throw new ClipException(
          ErrorCode.BAD_CHECKPOINT,
          "tensor "
              + name
              + " has shape "
              + Arrays.toString(shape)
              + ", not the "
              + (index + 1)
              + " or more dimensions a CLIP checkpoint has there");
    }
    return shape[index];
  }

  public static CheckpointListing describe(Path checkpoint) {
    NativeLibrary.ensureLoaded();
    String path = checkpoint.toAbsolutePath().toString();
    byte[] error = new byte[4096];
    try (SizeTPointer needed = new SizeTPointer(1)) {
      needed.put(0L);
      byte[] listing = new byte[1 << 16];
      int status =
          ClipFacade.clip4j_checkpoint_describe(
              path, listing, listing.length, needed, error, error.length);
      // A listing larger than the buffer: the call said how much it needs.
      if (status == ErrorCode.INVALID_ARGUMENT.status()
          && needed.get() > listing.length
          && needed.get() < Integer.MAX_VALUE) {
        listing = new byte[(int) needed.get()];
        status =
            ClipFacade.clip4j_checkpoint_describe(
                path, listing, listing.length, needed, error, error.length);
      }
      NativeModel.check(status, error);
      return parse(new String(listing, 0, (int) needed.get() - 1, StandardCharsets.UTF_8));
    }
  }

  static CheckpointListing parse(String text) {
    String format = null;
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String[] fields = line.split("\t", -1);
      for (int i = 0; i < fields.length; i++) {
        fields[i] = unescape(fields[i]);
      }
      if (fields[0].equals("format")) {
        format = fields[1];
      } else if (fields[0].equals("tensor") && fields.length == 4) {
        long[] shape =
            fields[3].isEmpty()
                ? new long[0]
                : Arrays.stream(fields[3].split(",")).mapToLong(Long::parseLong).toArray();
        shapes.put(fields[1], shape);
      }
    }
    if (format == null) {
      throw new ClipException(ErrorCode.INTERNAL, "malformed checkpoint listing");
    }
    return new CheckpointListing(format, Collections.unmodifiableMap(shapes));
  }

  /** Undoes the native listing's escapes of backslash, tab and newline in names. */
  private static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 1 < field.length()) {
        char next = field.charAt(++i);
        out.append(next == 't' ? '\t' : next == 'n' ? '\n' : next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
