#include "runner/cuda_image_runner.h"

#include <dlfcn.h>
#include <unistd.h>

#include <mutex>
#include <string>

#include "common/errors.h"

namespace clip4j {
namespace {

using MakeRunner = ImageBatchRunner* (*)(const ImageTower*, const CudaImageRunnerOptions*);
using PinHostMemory = void (*)(const void*, size_t);
using UnpinHostMemory = void (*)(const void*);

struct CudaSupport {
  bool present = false;  // libclip4j_cuda.so is beside libclip4j.so
  std::string error;     // why it did not load, when present
  MakeRunner make = nullptr;
  PinHostMemory pin = nullptr;
  UnpinHostMemory unpin = nullptr;
};

// The folder this library was loaded from.
std::string own_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&own_folder), &info) == 0 || info.dli_fname == nullptr) {
    return ".";
  }
  const std::string path = info.dli_fname;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

const CudaSupport& cuda_support() {
  static CudaSupport support;
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string path = own_folder() + "/libclip4j_cuda.so";
    if (access(path.c_str(), F_OK) != 0) return;
    support.present = true;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      support.error = dlerror();
      return;
    }
    support.make = reinterpret_cast<MakeRunner>(dlsym(handle, "clip4j_cuda_make_image_runner"));
    support.pin = reinterpret_cast<PinHostMemory>(dlsym(handle, "clip4j_cuda_pin_host_memory"));
    support.unpin =
        reinterpret_cast<UnpinHostMemory>(dlsym(handle, "clip4j_cuda_unpin_host_memory"));
    if (support.make == nullptr || support.pin == nullptr || support.unpin == nullptr) {
      support.make = nullptr;  // one library, all or nothing
      support.error = dlerror();
    }
  });
  return support;
}

}  // namespace

bool load_cuda_support() {
  const CudaSupport& support = cuda_support();
  if (support.present && support.make == nullptr) {
    throw Unsupported("this is the gpu build, but its CUDA libraries cannot load: " +
                      support.error);
  }
  return support.present;
}

std::unique_ptr<ImageBatchRunner> make_cuda_image_runner(const ImageTower& tower,
                                                         const CudaImageRunnerOptions& options) {
  if (!load_cuda_support()) return nullptr;
  return std::unique_ptr<ImageBatchRunner>(cuda_support().make(&tower, &options));
}

void pin_host_memory(const void* begin, size_t bytes) {
  if (!load_cuda_support()) throw Unsupported("pinned memory needs clip4j's gpu build");
  try {
    cuda_support().pin(begin, bytes);
  } catch (const std::invalid_argument& e) {
    throw InvalidArgument(e.what());
  } catch (const std::runtime_error& e) {
    throw DeviceError(e.what());
  }
}

void unpin_host_memory(const void* begin) {
  const CudaSupport& support = cuda_support();
  if (support.unpin != nullptr && support.make != nullptr) support.unpin(begin);
}

}  // namespace clip4j
