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
 */
public record ModelConfig(
    String name,
    int embedDim,
    boolean quickGelu,
    VisionConfig vision,
    TextConfig text,
    PreprocessConfig preprocess) {}
