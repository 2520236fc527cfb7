// torch.save zip archives, read with libtorch's own unpickler. It understands only the globals a
// state dict needs (tensor rebuilds, storages, OrderedDict); any other global in the pickle is an
// error, so no code from the file runs.
#include <c10/util/Exception.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <iterator>

#include "checkpoint_reader.h"
#include "common/errors.h"

namespace clip4j {
namespace {

void collect(const c10::IValue& value, TensorMap& out) {
  if (!value.isGenericDict()) {
    throw CheckpointError("torch archive does not hold a dict of tensors (found " +
                          value.tagKind() + ")");
  }
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString()) continue;
    const std::string key = item.key().toStringRef();
    if (item.value().isTensor()) out.emplace(key, item.value().toTensor());
  }
}

}  // namespace

TensorMap read_torch_archive(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError("cannot read " + path);
  c10::IValue root;
  try {
    root = torch::jit::pickle_load(bytes);
  } catch (const c10::Error& e) {
    throw CheckpointError("torch archive " + path +
                          " could not be read safely: " + e.what_without_backtrace());
  }
  // Training checkpoints wrap the weights: {"epoch": ..., "state_dict": {...}, ...}.
  if (root.isGenericDict()) {
    for (const auto& item : root.toGenericDict()) {
      if (item.key().isString() && item.key().toStringRef() == "state_dict" &&
          item.value().isGenericDict()) {
        root = item.value();
        break;
      }
    }
  }
  TensorMap tensors;
  collect(root, tensors);
  return tensors;
}

TensorMap read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path);
  char magic[9] = {0};
  in.read(magic, 9);
  const std::streamsize got = in.gcount();
  in.close();
  TensorMap tensors;
  if (got >= 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
    tensors = read_torch_archive(path);
  } else if (got == 9 && magic[8] == '{') {
    tensors = read_safetensors(path);
  } else {
    throw CheckpointError(path +
                          " is neither a safetensors file nor a torch.save zip archive "
                          "(legacy non-zip torch.save files are not read: re-save with torch>=1.6)");
  }
  // DistributedDataParallel prefixes every name with "module.".
  bool all_prefixed = !tensors.empty();
  for (const auto& [name, t] : tensors) all_prefixed &= name.rfind("module.", 0) == 0;
  if (all_prefixed) {
    TensorMap stripped;
    for (auto& [name, t] : tensors) stripped.emplace(name.substr(7), t);
    tensors = std::move(stripped);
  }
  return tensors;
}

}  // namespace clip4j
