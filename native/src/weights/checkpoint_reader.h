// Reading a checkpoint file into named CPU tensors, whatever its container.
#pragma once

#include <ATen/Tensor.h>

#include <map>
#include <string>

namespace clip4j {

using TensorMap = std::map<std::string, at::Tensor>;

enum class CheckpointFormat {
  Safetensors,
  TorchSave,   // a torch.save zip archive of a state dict or training checkpoint
  TorchScript  // a torch.jit.save archive, as OpenAI released CLIP: module attributes are read
};

struct Checkpoint {
  CheckpointFormat format;
  TensorMap tensors;
};

// Reads a .safetensors file, a torch.save zip archive or a TorchScript archive, chosen by the
// file's content, not its name. Training checkpoints ({"state_dict": ...}) are unwrapped and
// DistributedDataParallel's "module." prefixes removed, as open_clip's loader does. With
// `shapes_only` the tensors are meta tensors: names, dtypes and shapes, no data read.
Checkpoint read_checkpoint(const std::string& path, bool shapes_only = false);

// The containers, for callers that know which they have.
TensorMap read_safetensors(const std::string& path, bool shapes_only = false);
Checkpoint read_torch_archive(const std::string& path, bool shapes_only = false);

const char* format_name(CheckpointFormat format);

}  // namespace clip4j
