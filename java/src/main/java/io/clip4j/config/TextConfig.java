package io.clip4j.config;

/**
 * The text tower's shape, as open_clip's {@code text_cfg} gives it.
 *
 * @param contextLength tokens per text, start and end tokens included
 * @param vocabSize size of the token embedding table
 * @param width transformer width
 * @param layers number of residual blocks
 * @param heads attention heads
 * @param mlpWidth hidden width of each block's MLP
 * @param pool which position is the text embedding
 * @param causalMask whether attention is causal (CLIP's text tower is)
 * @param finalLnAfterPool apply ln_final after pooling instead of before
 */
public record TextConfig(
    int contextLength,
    int vocabSize,
    int width,
    int layers,
    int heads,
    int mlpWidth,
    TextPool pool,
    boolean causalMask,
    boolean finalLnAfterPool) {

  /** open_clip's text {@code pool_type}. */
  public enum TextPool {
    /** The end-of-text token: the highest id of each row. */
    ARGMAX,
    LAST,
    FIRST
  }
}
