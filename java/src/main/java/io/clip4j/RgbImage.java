package io.clip4j;

import java.awt.image.BufferedImage;

/**
 * 8-bit RGB pixels, row-major and interleaved: {@code width * height * 3} bytes.
 *
 * @param pixels the bytes, R G B for each pixel
 * @param width image width in pixels
 * @param height image height in pixels
 */
public record RgbImage(byte[] pixels, int width, int height) {
  public RgbImage {
    if (pixels == null) {
      throw new IllegalArgumentException("pixels are null");
    }
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
    if ((long) width * height * 3 != pixels.length) {
      throw new IllegalArgumentException(
          "an RGB image of "
              + width
              + "x"
              + height
              + " needs "
              + (long) width * height * 3
              + " bytes, got "
              + pixels.length);
    }
  }

  /** The pixels of {@code image} in sRGB; alpha is dropped as PIL's convert("RGB") drops it. */
  public static RgbImage of(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] rgb = new byte[argb.length * 3];
    for (int i = 0; i < argb.length; i++) {
      rgb[3 * i] = (byte) (argb[i] >> 16);
      rgb[3 * i + 1] = (byte) (argb[i] >> 8);
      rgb[3 * i + 2] = (byte) argb[i];
    }
    return new RgbImage(rgb, w, h);
  }
}
