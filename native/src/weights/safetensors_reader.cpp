// safetensors: an 8-byte little-endian header length, a JSON header mapping names to dtype, shape
// and [begin, end) byte offsets into the data that follows. Every field is checked before use: the
// file may come from anyone.
#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "checkpoint_reader.h"
#include "common/errors.h"
#include "json_lite.h"

namespace clip4j {
namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // the reference implementation's own limit

struct MappedFile {
  void* data = MAP_FAILED;
  size_t size = 0;
  ~MappedFile() {
    if (data != MAP_FAILED) munmap(data, size);
  }
};

at::ScalarType parse_dtype(const std::string& name, const std::string& tensor) {
  if (name == "F32") return at::kFloat;
  if (name == "F16") return at::kHalf;
  if (name == "BF16") return at::kBFloat16;
  if (name == "F64") return at::kDouble;
  if (name == "I64") return at::kLong;
  if (name == "I32") return at::kInt;
  if (name == "I16") return at::kShort;
  if (name == "I8") return at::kChar;
  if (name == "U8") return at::kByte;
  if (name == "BOOL") return at::kBool;
  throw CheckpointError("safetensors tensor '" + tensor + "' has unsupported dtype '" + name + "'");
}

int64_t checked_integer(const json::Value& v, const std::string& what) {
  if (v.kind != json::Value::Kind::Number || !v.is_integer || v.integer < 0) {
    throw CheckpointError("safetensors " + what + " is not a non-negative integer");
  }
  return v.integer;
}

struct Entry {
  std::string name;
  at::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

}  // namespace

TensorMap read_safetensors(const std::string& path, bool shapes_only) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st{};
  if (fstat(fd, &st) != 0) {
    close(fd);
    throw IoError("cannot stat " + path);
  }
  MappedFile file;
  file.size = size_t(st.st_size);
  if (file.size < 8) {
    close(fd);
    throw CheckpointError(path + " is too short to be a safetensors file (" +
                          std::to_string(file.size) + " bytes)");
  }
  file.data = mmap(nullptr, file.size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (file.data == MAP_FAILED) throw IoError("cannot map " + path + ": " + std::strerror(errno));
  const auto* bytes = static_cast<const uint8_t*>(file.data);

  uint64_t header_size = 0;
  for (int i = 7; i >= 0; i--) header_size = (header_size << 8) | bytes[i];
  if (header_size > kMaxHeaderBytes || header_size > file.size - 8) {
    throw CheckpointError("safetensors header length " + std::to_string(header_size) +
                          " is impossible for a file of " + std::to_string(file.size) + " bytes");
  }
  json::Value header;
  try {
    header = json::parse(std::string_view(reinterpret_cast<const char*>(bytes + 8), header_size));
  } catch (const json::ParseError& e) {
    throw CheckpointError("safetensors header is not valid JSON: " + std::string(e.what()));
  }
  if (header.kind != json::Value::Kind::Object) {
    throw CheckpointError("safetensors header is not a JSON object");
  }
  const uint64_t data_size = file.size - 8 - header_size;
  const uint8_t* data = bytes + 8 + header_size;

  std::vector<Entry> entries;
  for (const auto& [name, info] : header.object) {
    if (name == "__metadata__") continue;
    const json::Value* dtype = info.find("dtype");
    const json::Value* shape = info.find("shape");
    const json::Value* offsets = info.find("data_offsets");
    if (!dtype || dtype->kind != json::Value::Kind::String || !shape ||
        shape->kind != json::Value::Kind::Array || !offsets ||
        offsets->kind != json::Value::Kind::Array || offsets->array.size() != 2) {
      throw CheckpointError("safetensors entry '" + name + "' lacks dtype, shape or data_offsets");
    }
    Entry e{name, parse_dtype(dtype->string, name), {}, 0, 0};
    uint64_t numel = 1;
    for (const auto& dim : shape->array) {
      const int64_t d = checked_integer(dim, "shape of '" + name + "'");
      e.shape.push_back(d);
      if (d != 0 && numel > std::numeric_limits<uint64_t>::max() / uint64_t(d)) {
        throw CheckpointError("safetensors tensor '" + name + "' has an absurd shape");
      }
      numel *= uint64_t(d);
    }
    e.begin = uint64_t(checked_integer(offsets->array[0], "offset of '" + name + "'"));
    e.end = uint64_t(checked_integer(offsets->array[1], "offset of '" + name + "'"));
    const uint64_t element = c10::elementSize(e.dtype);
    if (e.begin > e.end || e.end > data_size) {
      throw CheckpointError("safetensors tensor '" + name + "' has offsets [" +
                            std::to_string(e.begin) + ", " + std::to_string(e.end) +
                            ") outside the " + std::to_string(data_size) + " data bytes");
    }
    if (numel > std::numeric_limits<uint64_t>::max() / element ||
        e.end - e.begin != numel * element) {
      throw CheckpointError("safetensors tensor '" + name + "' holds " +
                            std::to_string(e.end - e.begin) + " bytes, its shape needs " +
                            std::to_string(numel * element));
    }
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < entries.size(); i++) {
    if (entries[i].begin < entries[i - 1].end) {
      throw CheckpointError("safetensors tensors '" + entries[i - 1].name + "' and '" +
                            entries[i].name + "' overlap");
    }
  }

  TensorMap tensors;
  for (const Entry& e : entries) {
    if (shapes_only) {
      tensors.emplace(e.name,
                      at::empty(e.shape, at::TensorOptions().dtype(e.dtype).device(at::kMeta)));
      continue;
    }
    at::Tensor t = at::empty(e.shape, at::TensorOptions().dtype(e.dtype));
    if (e.end > e.begin) std::memcpy(t.data_ptr(), data + e.begin, e.end - e.begin);
    tensors.emplace(e.name, std::move(t));
  }
  return tensors;
}

}  // namespace clip4j
