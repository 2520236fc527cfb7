package io.clip4j.config;

import java.util.Arrays;

/**
 * open_clip's image preprocessing ({@code PreprocessCfg}): resize, crop or pad, normalise.
 *
 * @param size output side in pixels
 * @param resizeMode how the image is fitted to the square
 * @param interpolation resampling filter
 * @param fillColor padding grey level for {@link ResizeMode#LONGEST}
 * @param mean per-channel mean (RGB) subtracted after scaling to [0, 1]
 * @param std per-channel standard deviation divided by
 * @param style whose pipeline the pixels follow to the bit
 * @param rescaleFactor {@link Style#HUGGING_FACE}: the multiplier of 8-bit values (usually 1/255)
 */
public record PreprocessConfig(
    int size,
    ResizeMode resizeMode,
    Interpolation interpolation,
    int fillColor,
    float[] mean,
    float[] std,
    Style style,
    double rescaleFactor) {

  /** OpenAI's CLIP normalisation, open_clip's default. */
  public static final float[] OPENAI_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};

  public static final float[] OPENAI_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  public enum ResizeMode {
    SHORTEST,
    LONGEST,
    SQUASH
  }

  public enum Interpolation {
    BICUBIC,
    BILINEAR
  }

  /** Whose preprocessing: they differ in the order of steps and in rounding. */
  public enum Style {
    /** open_clip's PIL/torchvision pipeline. */
    OPEN_CLIP,
    /** Hugging Face's CLIPImageProcessor with the PIL backend. */
    HUGGING_FACE
  }

  public PreprocessConfig {
    mean = mean.clone();
    std = std.clone();
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreprocessConfig p
        && size == p.size
        && resizeMode == p.resizeMode
        && interpolation == p.interpolation
        && fillColor == p.fillColor
        && Arrays.equals(mean, p.mean)
        && Arrays.equals(std, p.std)
        && style == p.style
        && rescaleFactor == p.rescaleFactor;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * size + resizeMode.hashCode()) + Arrays.hashCode(mean);
  }

  @Override
  public String toString() {
    return "PreprocessConfig[size="
        + size
        + ", resizeMode="
        + resizeMode
        + ", interpolation="
        + interpolation
        + ", mean="
        + Arrays.toString(mean)
        + ", std="
        + Arrays.toString(std)
        + "]";
  }
}
