package io.clip4j.config;

/**
 * Everything the native runner needs to build a CLIP model before reading its weights.
 *
 * @param name the architecture name (open_clip's model config name, or the checkpoint's own)
 * @param embedDim size of the shared embedding space
 * @param quickGelu QuickGELU (OpenAI's original models) instead of exact GELU
 * @param vision the image tower
 * @param text the text tower
 * @param preprocess the image preprocessing the model was trained with
 * @param layout how the checkpoint names its tensors
 */
public record ModelConfig(
    String name,
    int embedDim,
    boolean quickGelu,
    VisionConfig vision,
    TextConfig text,
    PreprocessConfig preprocess,
    WeightsLayout layout) {

  /** How a checkpoint names its tensors. */
  public enum WeightsLayout {
    /** open_clip's and OpenAI's names: visual.*, transformer.*, token_embedding.weight, ... */
    OPEN_CLIP,
    /** transformers' CLIPModel: vision_model.*, text_model.*, visual_projection, ... */
    HUGGING_FACE
  }

  /** The same model under another name. */
  public ModelConfig withName(String newName) {
    return new ModelConfig(newName, embedDim, quickGelu, vision, text, preprocess, layout);
  }
}
