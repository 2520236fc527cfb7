// The activations CLIP's MLPs use, shared by the models and the kernels that fuse them.
#pragma once

namespace clip4j {

enum class Activation {
  Identity,
  Gelu,       // x·Φ(x), with the exact erf (nn.GELU): open_clip's own models
  QuickGelu,  // x·sigmoid(1.702x): OpenAI's released models
};

}  // namespace clip4j
