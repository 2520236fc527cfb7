// torch.save zip archives: the zip container is read with libtorch's PyTorchStreamReader, the
// pickle inside with our restricted unpickler (see restricted_unpickler.h), so no code from the
// file runs and OrderedDict state dicts load as dicts.
#include <c10/util/Exception.h>
#include <caffe2/serialize/inline_container.h>

#include <ATen/ATen.h>

#include <cstring>
#include <fstream>

#include "checkpoint_reader.h"
#include "common/errors.h"
#include "restricted_unpickler.h"

namespace clip4j {
namespace {

using pickle::Value;
using pickle::ValuePtr;

// Finds a dict that maps names to tensors: the root, or a training checkpoint's "state_dict".
void collect(const ValuePtr& root, TensorMap& out) {
  if (root->kind != Value::Kind::Dict) {
    throw CheckpointError("torch archive does not hold a dict of tensors");
  }
  for (const auto& [key, value] : root->entries) {
    if (key->kind == Value::Kind::String && key->text == "state_dict" &&
        value->kind == Value::Kind::Dict) {
      collect(value, out);
      return;
    }
  }
  for (const auto& [key, value] : root->entries) {
    if (key->kind == Value::Kind::String && value->kind == Value::Kind::Tensor) {
      out[key->text] = value->tensor;
    }
  }
}

// A TorchScript module's tensors under their state-dict names ("visual.conv1.weight").
void flatten(const ValuePtr& object, const std::string& prefix, TensorMap& out, int depth = 0) {
  if (depth > 64) throw CheckpointError("TorchScript modules nested too deeply");
  for (const auto& [key, value] : object->entries) {
    const std::string name = prefix + key->text;
    if (value->kind == Value::Kind::Tensor) {
      out[name] = value->tensor;
    } else if (value->kind == Value::Kind::Object) {
      flatten(value, name + ".", out, depth + 1);
    }
  }
}

}  // namespace

Checkpoint read_torch_archive(const std::string& path, bool shapes_only) {
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    if (!reader.hasRecord("data.pkl")) {
      throw CheckpointError(path + " is a zip archive without data.pkl: not a torch.save file");
    }
    const size_t pickle_size = reader.getRecordSize("data.pkl");
    std::vector<uint8_t> pickle_bytes(pickle_size);
    reader.getRecord("data.pkl", pickle_bytes.data(), pickle_size);
    const pickle::StorageLoader load_storage = [&](const std::string& key, at::ScalarType dtype,
                                                   int64_t numel) {
      const std::string record = "data/" + key;
      if (!reader.hasRecord(record)) throw CheckpointError("torch archive lacks storage " + record);
      const size_t bytes = reader.getRecordSize(record);
      const size_t needed = size_t(numel) * c10::elementSize(dtype);
      if (bytes < needed) {
        throw CheckpointError("torch archive storage " + record + " holds " +
                              std::to_string(bytes) + " bytes, " + std::to_string(needed) +
                              " needed");
      }
      if (shapes_only)
        return at::empty({numel}, at::TensorOptions().dtype(dtype).device(at::kMeta));
      at::Tensor storage = at::empty({numel}, at::TensorOptions().dtype(dtype));
      if (bytes == needed) {
        if (needed > 0) reader.getRecord(record, storage.data_ptr(), needed);
      } else {  // a storage larger than its declared size: read it whole, keep the declared part
        std::vector<uint8_t> whole(bytes);
        reader.getRecord(record, whole.data(), bytes);
        std::memcpy(storage.data_ptr(), whole.data(), needed);
      }
      return storage;
    };
    // torch.jit.save archives carry constants.pkl (and code/, which is never read).
    const bool torchscript = reader.hasRecord("constants.pkl");
    Checkpoint checkpoint{torchscript ? CheckpointFormat::TorchScript : CheckpointFormat::TorchSave,
                          {}};
    const ValuePtr root =
        pickle::unpickle(pickle_bytes.data(), pickle_bytes.size(), load_storage,
                         torchscript ? pickle::Dialect::TorchScript : pickle::Dialect::StateDict);
    if (torchscript) {
      if (root->kind != Value::Kind::Object)
        throw CheckpointError("TorchScript archive holds no module");
      flatten(root, "", checkpoint.tensors);
    } else {
      collect(root, checkpoint.tensors);
    }
    return checkpoint;
  } catch (const c10::Error& e) {
    throw CheckpointError("torch archive " + path +
                          " could not be read: " + e.what_without_backtrace());
  }
}

const char* format_name(CheckpointFormat format) {
  switch (format) {
    case CheckpointFormat::Safetensors:
      return "safetensors";
    case CheckpointFormat::TorchSave:
      return "torch.save";
    case CheckpointFormat::TorchScript:
      return "torchscript";
  }
  return "unknown";
}

Checkpoint read_checkpoint(const std::string& path, bool shapes_only) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path);
  char magic[9] = {0};
  in.read(magic, 9);
  const std::streamsize got = in.gcount();
  in.close();
  Checkpoint checkpoint{CheckpointFormat::Safetensors, {}};
  if (got >= 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
    checkpoint = read_torch_archive(path, shapes_only);
  } else if (got == 9 && magic[8] == '{') {
    checkpoint.tensors = read_safetensors(path, shapes_only);
  } else {
    throw CheckpointError(
        path +
        " is neither a safetensors file nor a torch.save zip archive "
        "(legacy non-zip torch.save files are not read: re-save with torch>=1.6)");
  }
  // DistributedDataParallel prefixes every name with "module.".
  TensorMap& tensors = checkpoint.tensors;
  bool all_prefixed = !tensors.empty();
  for (const auto& [name, t] : tensors) all_prefixed &= name.rfind("module.", 0) == 0;
  if (all_prefixed) {
    TensorMap stripped;
    for (auto& [name, t] : tensors) stripped.emplace(name.substr(7), t);
    tensors = std::move(stripped);
  }
  return checkpoint;
}

}  // namespace clip4j
