package io.clip4j;

import java.util.Locale;

/**
 * Where a model runs: the CPU, or one CUDA GPU by ordinal.
 *
 * @param type CPU or CUDA
 * @param index the CUDA ordinal; 0 for the CPU
 */
public record Device(Type type, int index) {
  public enum Type {
    CPU,
    CUDA
  }

  public static final Device CPU = new Device(Type.CPU, 0);

  public Device {
    if (type == null) {
      throw new IllegalArgumentException("device type is null");
    }
    if (index < 0) {
      throw new IllegalArgumentException("device index must not be negative: " + index);
    }
  }

  public static Device cuda(int index) {
    return new Device(Type.CUDA, index);
  }

  /** Parses {@code cpu}, {@code cuda} or {@code cuda:N}. */
  public static Device parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("cpu")) {
      return CPU;
    }
    if (t.equals("cuda")) {
      return cuda(0);
    }
    if (t.startsWith("cuda:")) {
      try {
        return cuda(Integer.parseInt(t.substring(5)));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException(
        "unknown device '" + text + "': expected cpu, cuda or cuda:N");
  }

  @Override
  public String toString() {
    return type == Type.CPU ? "cpu" : "cuda:" + index;
  }
}
