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

}  // namespace

TensorMap read_torch_archive(const std::string& path) {
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
    TensorMap tensors;
    collect(pickle::unpickle(pickle_bytes.data(), pickle_bytes.size(), load_storage), tensors);
    return tensors;
  } catch (const c10::Error& e) {
    throw CheckpointError("torch archive " + path +
                          " could not be read: " + e.what_without_backtrace());
  }
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
    throw CheckpointError(
        path +
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
