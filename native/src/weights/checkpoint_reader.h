// Reading a checkpoint file into named CPU tensors, whatever its container.
#pragma once

#include <ATen/Tensor.h>

#include <map>
#include <string>

namespace clip4j {

using TensorMap = std::map<std::string, at::Tensor>;

// Reads a .safetensors file or a torch.save zip archive (.bin / .pt / .pth), chosen by the file's
// first bytes, not its name. Training checkpoints ({"state_dict": ...}) are unwrapped and
// DistributedDataParallel's "module." prefixes removed, as open_clip's loader does.
TensorMap read_checkpoint(const std::string& path);

// The containers, for callers that know which they have.
TensorMap read_safetensors(const std::string& path);
TensorMap read_torch_archive(const std::string& path);

}  // namespace clip4j
