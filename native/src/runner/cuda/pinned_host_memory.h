// Host memory a caller page-locked for the GPU (clip4j_pin_pixels): the CUDA runner copies pixels
// that lie in it to the device as they are, with no copy into its own pinned slots first. One
// registry per process: memory stays pinned across models, and may be unpinned after its model is
// gone.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>

namespace clip4j {

class PinnedHostMemory {
 public:
  static PinnedHostMemory& instance();

  // Page-locks [begin, begin + bytes) with cudaHostRegister (portable: for every device). Memory
  // another library registered already is used as it is, and left registered at unpin. Throws
  // std::invalid_argument when the range overlaps one pinned here, std::runtime_error naming
  // CUDA's error when the driver refuses.
  void pin(const void* begin, size_t bytes);

  // Undoes pin(begin): lends the range no more, waits until no lease holds it, then unregisters
  // it. A pointer that was not pinned here is ignored.
  void unpin(const void* begin);

  // Holds a pinned range for one call: unpin waits until the lease is gone. Empty (false) when
  // [begin, begin + bytes) does not lie inside one pinned range.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept : owner_(other.owner_), key_(other.key_) {
      other.owner_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    friend class PinnedHostMemory;
    Lease(PinnedHostMemory* owner, const char* key) : owner_(owner), key_(key) {}
    PinnedHostMemory* owner_ = nullptr;
    const char* key_ = nullptr;
  };
  Lease lease(const void* begin, size_t bytes);

 private:
  struct Range {
    const char* end;
    bool registered_here;  // false: another library had registered it, and unregisters it
    int leases = 0;
    bool unpinning = false;  // unpin waits for the leases: no new ones
  };
  void release(const char* key);

  std::mutex mutex_;
  std::condition_variable released_;
  std::map<const char*, Range> ranges_;  // by first byte
};

}  // namespace clip4j
