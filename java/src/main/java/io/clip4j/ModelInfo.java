package io.clip4j;

import io.clip4j.config.ModelConfig;
import java.nio.file.Path;

/**
 * What a loaded model is: its architecture and the input it expects.
 *
 * @param architecture the open_clip config name (or the folder's name for a hub folder)
 * @param format how the checkpoint was found (folder layout or weights file plus config)
 * @param weights the weights file read
 * @param config the full architecture and preprocessing config
 * @param parameterCount number of parameters loaded
 * @param logitScale exp(logit_scale): multiplies cosine similarities into logits
 */
public record ModelInfo(
    String architecture,
    String format,
    Path weights,
    ModelConfig config,
    long parameterCount,
    float logitScale) {

  public int embeddingSize() {
    return config.embedDim();
  }

  public int imageSize() {
    return config.preprocess().size();
  }

  public int contextLength() {
    return config.text().contextLength();
  }

  public float[] mean() {
    return config.preprocess().mean();
  }

  public float[] std() {
    return config.preprocess().std();
  }
}
