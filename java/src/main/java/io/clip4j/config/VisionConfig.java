package io.clip4j.config;

/**
 * The image tower's shape, as open_clip's {@code vision_cfg} gives it: a ViT, or the ModifiedResNet
 * of OpenAI's RN50 family.
 *
 * @param tower which kind of image tower
 * @param imageSize square input side in pixels
 * @param patchSize patch side in pixels
 * @param width transformer width
 * @param layers number of residual blocks
 * @param heads attention heads ({@code width / head_width})
 * @param mlpWidth hidden width of each block's MLP ({@code width * mlp_ratio})
 * @param averagePool pool by averaging patch tokens instead of taking the class token
 * @param finalLnAfterPool apply ln_post after pooling instead of before
 * @param noLnPre no LayerNorm before the transformer
 * @param resnetLayers ResNet only: bottlenecks in each of the four stages ({@code width} is then
 *     the stem width and {@code heads} the attention pool's heads); null for a ViT
 */
public record VisionConfig(
    Tower tower,
    int imageSize,
    int patchSize,
    int width,
    int layers,
    int heads,
    int mlpWidth,
    boolean averagePool,
    boolean finalLnAfterPool,
    boolean noLnPre,
    int[] resnetLayers) {

  public enum Tower {
    VISION_TRANSFORMER,
    MODIFIED_RESNET
  }

  /** A ViT tower. */
  public static VisionConfig vit(
      int imageSize,
      int patchSize,
      int width,
      int layers,
      int heads,
      int mlpWidth,
      boolean averagePool,
      boolean finalLnAfterPool,
      boolean noLnPre) {
    return new VisionConfig(
        Tower.VISION_TRANSFORMER,
        imageSize,
        patchSize,
        width,
        layers,
        heads,
        mlpWidth,
        averagePool,
        finalLnAfterPool,
        noLnPre,
        null);
  }

  /** A ModifiedResNet tower with {@code layers} bottlenecks per stage. */
  public static VisionConfig resnet(int imageSize, int width, int heads, int[] layers) {
    if (layers.length != 4) {
      throw new IllegalArgumentException("a ModifiedResNet has 4 stages, got " + layers.length);
    }
    return new VisionConfig(
        Tower.MODIFIED_RESNET,
        imageSize,
        0,
        width,
        0,
        heads,
        0,
        false,
        false,
        false,
        layers.clone());
  }

  public boolean isResNet() {
    return tower == Tower.MODIFIED_RESNET;
  }
}
