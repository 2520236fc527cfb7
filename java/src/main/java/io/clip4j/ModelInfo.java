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
 * @param linearLayers both towers' linear layers (attention and MLP projections, the ViT patch
 *     embedding, a ResNet's attention pool)
 * @param packedLinearLayers how many of them run on clip4j's own CPU kernels; the others run on
 *     libtorch, as all do on a GPU, with {@code CLIP4J_CPU_GEMM=libtorch} or on a CPU without AVX2
 *     and FMA. Worth logging: fewer than all on a CPU service means the slow path.
 */
public record ModelInfo(
    String architecture,
    String format,
    Path weights,
    ModelConfig config,
    long parameterCount,
    float logitScale,
    long linearLayers,
    long packedLinearLayers) {

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
