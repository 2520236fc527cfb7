// The activations CLIP's MLPs (and the ResNets' 1x1 convolutions) use, shared by the models and
// the kernels that fuse them.
#pragma once

namespace clip4j {

enum class Activation {
  Identity,
  Gelu,       // x·Φ(x), with the exact erf (nn.GELU): open_clip's own models
  QuickGelu,  // x·sigmoid(1.702x): OpenAI's released models
  Relu,       // max(0, x): the ResNets' 1x1 convolutions
};

}  // namespace clip4j
