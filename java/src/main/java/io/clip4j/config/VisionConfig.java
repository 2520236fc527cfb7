package io.clip4j.config;

/**
 * The ViT image tower's shape, as open_clip's {@code vision_cfg} gives it.
 *
 * @param imageSize square input side in pixels
 * @param patchSize patch side in pixels
 * @param width transformer width
 * @param layers number of residual blocks
 * @param heads attention heads ({@code width / head_width})
 * @param mlpWidth hidden width of each block's MLP ({@code width * mlp_ratio})
 * @param averagePool pool by averaging patch tokens instead of taking the class token
 * @param finalLnAfterPool apply ln_post after pooling instead of before
 * @param noLnPre no LayerNorm before the transformer
 */
public record VisionConfig(
    int imageSize,
    int patchSize,
    int width,
    int layers,
    int heads,
    int mlpWidth,
    boolean averagePool,
    boolean finalLnAfterPool,
    boolean noLnPre) {}
