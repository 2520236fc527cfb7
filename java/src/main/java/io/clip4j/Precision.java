package io.clip4j;

import java.util.Locale;

/** The floating-point format of weights and activations. */
public enum Precision {
  FP32,
  /** Half precision; layer norms still run in fp32, as open_clip does. Meant for GPUs. */
  FP16,
  /** bfloat16; layer norms still run in fp32. */
  BF16;

  /** Parses {@code fp32}, {@code fp16} or {@code bf16}, in any case. */
  public static Precision parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown precision '" + text + "': expected fp32, fp16 or bf16", e);
    }
  }
}
