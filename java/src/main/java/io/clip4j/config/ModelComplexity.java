package io.clip4j.config;

/**
 * Parameter counts and floating-point operations of a CLIP architecture, counted from its config
 * (parameters as {@code sum(p.numel() for p in model.parameters())} counts them, batch-norm
 * statistics excluded; FLOPs as 2 x multiply-adds of convolutions, matrix products and attention,
 * text at the full context length).
 *
 * @param imageParameters the image tower
 * @param textParameters the text tower, token embedding and logit scale included
 * @param imageFlops per image
 * @param textFlops per text
 */
public record ModelComplexity(
    long imageParameters, long textParameters, double imageFlops, double textFlops) {

  public long totalParameters() {
    return imageParameters + textParameters;
  }

  public static ModelComplexity of(ModelConfig config) {
    VisionConfig v = config.vision();
    long[] image = v.isResNet() ? resnet(v, config.embedDim()) : vit(v, config.embedDim());
    long[] text = text(config.text(), config.embedDim());
    return new ModelComplexity(image[0], text[0] + 1, 2.0 * image[1], 2.0 * text[1]);
  }

  /** {parameters, multiply-adds} of one pre-norm transformer block over {@code tokens} tokens. */
  private static long[] block(long width, long mlp, long tokens) {
    long params = 2 * width + 3 * width * width + 3 * width + width * width + width + 2 * width;
    params += width * mlp + mlp + mlp * width + width;
    long macs = tokens * (4 * width * width + 2 * width * mlp) + 2 * tokens * tokens * width;
    return new long[] {params, macs};
  }

  private static long[] vit(VisionConfig v, long embed) {
    long w = v.width();
    long grid = v.imageSize() / v.patchSize();
    long tokens = grid * grid + 1;
    long patch = (long) v.patchSize() * v.patchSize() * 3;
    long params = w * patch + w + tokens * w + (v.noLnPre() ? 0 : 2 * w) + 2 * w + w * embed;
    long macs = grid * grid * w * patch + w * embed;
    long[] b = block(w, v.mlpWidth(), tokens);
    return new long[] {params + v.layers() * b[0], macs + v.layers() * b[1]};
  }

  private static long[] text(TextConfig t, long embed) {
    long w = t.width();
    long params = (long) t.vocabSize() * w + (long) t.contextLength() * w + 2 * w + w * embed;
    long[] b = block(w, t.mlpWidth(), t.contextLength());
    return new long[] {params + t.layers() * b[0], t.layers() * b[1] + w * embed};
  }

  /**
   * Convolution {parameters, multiply-adds} at an output of side {@code out}, plus its batch norm.
   */
  private static long[] conv(long in, long outChannels, long kernel, long out) {
    long weights = in * outChannels * kernel * kernel;
    return new long[] {weights + 2 * outChannels, weights * out * out};
  }

  private static long[] resnet(VisionConfig v, long embed) {
    long[] total = new long[2];
    long w = v.width();
    long side = v.imageSize() / 2;
    add(total, conv(3, w / 2, 3, side));
    add(total, conv(w / 2, w / 2, 3, side));
    add(total, conv(w / 2, w, 3, side));
    side /= 2;
    long in = w;
    for (int stage = 0; stage < 4; stage++) {
      long planes = w << stage;
      for (int i = 0; i < v.resnetLayers()[stage]; i++) {
        long stride = i == 0 && stage > 0 ? 2 : 1;
        add(total, conv(in, planes, 1, side));
        add(total, conv(planes, planes, 3, side));
        long after = side / stride;
        add(total, conv(planes, planes * 4, 1, after));
        if (stride > 1 || in != planes * 4) {
          add(total, conv(in, planes * 4, 1, after));
        }
        side = after;
        in = planes * 4;
      }
    }
    long channels = w * 32;
    long tokens = side * side + 1;
    total[0] += tokens * channels + 3 * (channels * channels + channels) + channels * embed + embed;
    total[1] +=
        3 * tokens * channels * channels + 2 * tokens * tokens * channels + channels * embed;
    return total;
  }

  private static void add(long[] total, long[] part) {
    total[0] += part[0];
    total[1] += part[1];
  }
}
