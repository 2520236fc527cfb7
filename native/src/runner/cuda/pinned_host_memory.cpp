#include "runner/cuda/pinned_host_memory.h"

#include <cuda_runtime_api.h>

#include <iterator>
#include <stdexcept>
#include <string>

namespace clip4j {

PinnedHostMemory& PinnedHostMemory::instance() {
  static PinnedHostMemory memory;
  return memory;
}

void PinnedHostMemory::pin(const void* begin, size_t bytes) {
  const char* first = static_cast<const char*>(begin);
  std::lock_guard<std::mutex> lock(mutex_);
  auto next = ranges_.lower_bound(first);
  const bool overlaps_next = next != ranges_.end() && next->first < first + bytes;
  const bool overlaps_previous = next != ranges_.begin() && std::prev(next)->second.end > first;
  if (overlaps_next || overlaps_previous) {
    throw std::invalid_argument("this memory overlaps memory pinned already");
  }
  const cudaError_t status =
      cudaHostRegister(const_cast<void*>(begin), bytes, cudaHostRegisterPortable);
  bool registered_here = true;
  if (status == cudaErrorHostMemoryAlreadyRegistered) {
    (void)cudaGetLastError();  // not sticky, but leave no error behind for libtorch to find
    registered_here = false;
  } else if (status != cudaSuccess) {
    (void)cudaGetLastError();
    throw std::runtime_error(std::string("CUDA could not pin ") + std::to_string(bytes) +
                             " bytes of host memory: " + cudaGetErrorString(status));
  }
  ranges_.emplace(first, Range{first + bytes, registered_here});
}

void PinnedHostMemory::unpin(const void* begin) {
  const char* first = static_cast<const char*>(begin);
  std::unique_lock<std::mutex> lock(mutex_);
  auto found = ranges_.find(first);
  if (found == ranges_.end() || found->second.unpinning) return;
  found->second.unpinning = true;
  released_.wait(lock, [&] { return found->second.leases == 0; });
  if (found->second.registered_here) (void)cudaHostUnregister(const_cast<char*>(first));
  ranges_.erase(found);
}

PinnedHostMemory::Lease PinnedHostMemory::lease(const void* begin, size_t bytes) {
  const char* first = static_cast<const char*>(begin);
  std::lock_guard<std::mutex> lock(mutex_);
  auto after = ranges_.upper_bound(first);
  if (after == ranges_.begin()) return {};
  auto range = std::prev(after);
  if (range->second.unpinning || first + bytes > range->second.end) return {};
  ++range->second.leases;
  return Lease(this, range->first);
}

void PinnedHostMemory::release(const char* key) {
  std::lock_guard<std::mutex> lock(mutex_);
  --ranges_.at(key).leases;
  released_.notify_all();
}

PinnedHostMemory::Lease::~Lease() {
  if (owner_ != nullptr) owner_->release(key_);
}

}  // namespace clip4j
