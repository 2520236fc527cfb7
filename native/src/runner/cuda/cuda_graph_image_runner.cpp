// The gpu build's image path. Per batch-size bucket (1, 2, 4, ... 256) it keeps:
//  - pinned host slots that preprocessing writes into directly and embeddings come back to;
//  - two device staging buffers, filled in turn by a copy stream, so the next batch's
//    host-to-device copy overlaps the forward pass of the one before (double buffering);
//  - a static input in the model's dtype and a CUDA graph of the whole forward pass, captured on
//    first use, so a batch is one graph launch instead of hundreds of kernel launches.
// Callers on many threads preprocess concurrently into their own slots; only enqueueing work on
// the GPU is serialised, and each caller waits on its own event for its results. Pixels a caller
// keeps in memory it pinned (clip4j_pin_pixels) skip the slot: they are copied to the device from
// where they lie, and checked for NaN and infinity there.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/core/InferenceMode.h>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "runner/cuda/pinned_host_memory.h"
#include "runner/cuda_image_runner.h"
#include "runner/write_embeddings.h"

namespace clip4j {
namespace {

// A CUDA event without timing, owned.
class CudaEvent {
 public:
  CudaEvent() { C10_CUDA_CHECK(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming)); }
  ~CudaEvent() { cudaEventDestroy(event_); }
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;

  void record(cudaStream_t stream) { C10_CUDA_CHECK(cudaEventRecord(event_, stream)); }
  void make_wait(cudaStream_t stream) const {
    C10_CUDA_CHECK(cudaStreamWaitEvent(stream, event_, 0));
  }
  void synchronize() const { C10_CUDA_CHECK(cudaEventSynchronize(event_)); }

 private:
  cudaEvent_t event_{};
};

// Host memory one call owns from preprocessing until it has read its embeddings back.
struct PinnedSlot {
  at::Tensor pixels;      // [bucket, 3, size, size] fp32, pinned; made at the first fill
  at::Tensor embeddings;  // [bucket, embed_dim] fp32, pinned
  at::Tensor pixel_sum;   // fp32 scalar, pinned: the device's check of a caller's pinned pixels
  CudaEvent copied_back;
  CudaEvent checked;  // pixel_sum is on the host (pinned pixels only)
};

// The device side of one bucket size.
struct Bucket {
  int size = 0;
  at::Tensor staging[2];  // fp32 inputs, written by the copy stream in turn
  CudaEvent staged[2];    // the copy into staging[k] is done
  CudaEvent consumed[2];  // the compute stream has read staging[k]
  int next_staging = 0;
  at::Tensor input;   // the graph's static input, in the model's dtype
  at::Tensor output;  // the graph's static output, fp32 [size, embed_dim]
  std::unique_ptr<at::cuda::CUDAGraph> graph;
  bool eager = false;  // graphs are off, or capture failed for a reason other than memory

  std::mutex slots_mutex;
  std::vector<std::unique_ptr<PinnedSlot>> free_slots;
};

int bucket_size_for(int count, int max_bucket) {
  int size = 1;
  while (size < count && size < max_bucket) size *= 2;
  return size;
}

bool is_out_of_memory(const std::exception& e) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e) != nullptr) return true;
  const std::string message = e.what();
  return message.find("out of memory") != std::string::npos;
}

class CudaGraphImageRunner final : public ImageBatchRunner {
 public:
  CudaGraphImageRunner(const ImageTower& tower, const CudaImageRunnerOptions& options)
      : tower_(tower),
        options_(options),
        device_index_(options.weights.device().index()),
        copy_stream_(c10::cuda::getStreamFromPool(/*isHighPriority=*/true, device_index_)),
        compute_stream_(c10::cuda::getStreamFromPool(/*isHighPriority=*/true, device_index_)) {}

  void run(int batch, const Fill& fill, bool normalize, float* out) override {
    c10::InferenceMode inference;
    c10::cuda::CUDAGuard device(device_index_);
    for (int first = 0; first < batch; first += options_.max_bucket) {
      const int count = std::min(options_.max_bucket, batch - first);
      run_chunk(first, count, &fill, nullptr, normalize, out + int64_t(first) * options_.embed_dim);
    }
  }

  PinnedRun run_pinned(const float* pixels, int batch, bool normalize, float* out) override {
    const int64_t stride = 3 * int64_t(options_.image_size) * options_.image_size;
    // Held to the end: the caller's memory stays pinned while copies from it may be in flight.
    const PinnedHostMemory::Lease lease =
        PinnedHostMemory::instance().lease(pixels, size_t(batch) * stride * sizeof(float));
    if (!lease) return PinnedRun::NotPinned;
    c10::InferenceMode inference;
    c10::cuda::CUDAGuard device(device_index_);
    bool passed = true;
    for (int first = 0; first < batch; first += options_.max_bucket) {
      const int count = std::min(options_.max_bucket, batch - first);
      passed &= run_chunk(first, count, nullptr, pixels + first * stride, normalize,
                          out + int64_t(first) * options_.embed_dim);
    }
    return passed ? PinnedRun::Finite : PinnedRun::CheckFailed;
  }

 private:
  // Images [first, first + count): written into a slot by `fill`, or copied from `pinned` (the
  // caller's pinned memory, at image `first`) and checked on the device. Returns false when that
  // check failed; true otherwise.
  bool run_chunk(int first, int count, const Fill* fill, const float* pinned, bool normalize,
                 float* out) {
    Bucket& bucket = bucket_for(bucket_size_for(count, options_.max_bucket));
    std::unique_ptr<PinnedSlot> slot = take_slot(bucket);
    // A slot goes back to the pool only once its copies are finished (or never started).
    struct SlotReturn {
      Bucket& bucket;
      std::unique_ptr<PinnedSlot>& slot;
      ~SlotReturn() {
        std::lock_guard<std::mutex> lock(bucket.slots_mutex);
        bucket.free_slots.push_back(std::move(slot));
      }
    } slot_return{bucket, slot};

    if (fill != nullptr) {
      // Slots that only ever serve callers' pinned pixels need none of their own: at batch 256 of
      // 224 x 224, 154 MB of page-locked memory per slot.
      if (!slot->pixels.defined()) {
        const int64_t side = options_.image_size;
        slot->pixels = at::zeros({bucket.size, 3, side, side},
                                 at::TensorOptions().dtype(at::kFloat).pinned_memory(true));
      }
      (*fill)(slot->pixels.data_ptr<float>(), first, count);  // CPU work, outside the GPU lock
    }
    {
      std::lock_guard<std::mutex> lock(gpu_mutex_);
      try {
        if (!bucket.graph && !bucket.eager) capture(bucket);
        enqueue(bucket, *slot, count, pinned);
      } catch (...) {
        // Copies already enqueued may still touch the slot: let them finish before it is reused.
        (void)cudaStreamSynchronize(copy_stream_.stream());
        (void)cudaStreamSynchronize(compute_stream_.stream());
        throw;
      }
    }
    slot->copied_back.synchronize();
    if (pinned != nullptr) slot->checked.synchronize();

    write_embeddings(slot->embeddings.narrow(0, 0, count), normalize, out);
    return pinned == nullptr || std::isfinite(*slot->pixel_sum.const_data_ptr<float>());
  }

  // Copies `count` images in (the slot's, or the caller's pinned ones), runs the forward pass,
  // copies the embeddings back. Called under gpu_mutex_; returns once the work is enqueued.
  void enqueue(Bucket& bucket, PinnedSlot& slot, int count, const float* pinned) {
    const int k = bucket.next_staging;
    bucket.next_staging ^= 1;
    at::Tensor staging = bucket.staging[k];
    bucket.consumed[k].make_wait(copy_stream_.stream());  // read by the batch two calls ago
    {
      c10::cuda::CUDAStreamGuard on_copy(copy_stream_);
      if (pinned == nullptr) {
        staging.narrow(0, 0, count).copy_(slot.pixels.narrow(0, 0, count), /*non_blocking=*/true);
      } else {
        C10_CUDA_CHECK(cudaMemcpyAsync(staging.data_ptr<float>(), pinned,
                                       staging.narrow(0, 0, count).nbytes(), cudaMemcpyHostToDevice,
                                       copy_stream_.stream()));
      }
      bucket.staged[k].record(copy_stream_.stream());
    }
    {
      c10::cuda::CUDAStreamGuard on_compute(compute_stream_);
      bucket.staged[k].make_wait(compute_stream_.stream());
      bucket.input.copy_(staging);  // and to the model's dtype
      bucket.consumed[k].record(compute_stream_.stream());
      if (bucket.graph) {
        bucket.graph->replay();
      } else {
        bucket.output = forward(bucket.input);
      }
      slot.embeddings.narrow(0, 0, count)
          .copy_(bucket.output.narrow(0, 0, count), /*non_blocking=*/true);
      slot.copied_back.record(compute_stream_.stream());
    }
    if (pinned != nullptr) {
      // Pixels that were never scanned on the host: one reduction on the device, its value copied
      // back. A NaN or infinity makes the sum so (as may, rarely, finite values past float32's
      // range: the host's scan then finds nothing and the embeddings stand). On the copy stream,
      // after the copy in, enqueued after the forward pass: it runs beside the forward pass rather
      // than before it, and the next copy into this staging buffer waits for it in stream order.
      // Rows are independent in every tower, so those of a failed batch left in the staging buffer
      // past a later, shorter batch's end change none of its embeddings.
      c10::cuda::CUDAStreamGuard on_copy(copy_stream_);
      slot.pixel_sum.copy_(staging.narrow(0, 0, count).sum(), /*non_blocking=*/true);
      slot.checked.record(copy_stream_.stream());
    }
  }

  at::Tensor forward(const at::Tensor& input) const {
    // fp32 means fp32: cuDNN would otherwise run the patch convolution in TF32 (10-bit mantissa).
    std::optional<at::NoTF32Guard> exact;
    if (options_.weights.dtype() == at::kFloat) exact.emplace();
    return tower_.encode(input).to(at::kFloat);
  }

  // Captures the bucket's forward pass. Out of memory propagates (the caller gets
  // CLIP4J_OUT_OF_MEMORY, a smaller batch still works); any other capture failure leaves the
  // bucket running eagerly.
  void capture(Bucket& bucket) {
    c10::cuda::CUDAStreamGuard on_compute(compute_stream_);
    // Warm-up outside the capture: cuBLAS handles, kernel selection and the caching allocator's
    // first blocks must not happen inside it.
    forward(bucket.input);
    compute_stream_.synchronize();
    auto graph = std::make_unique<at::cuda::CUDAGraph>();
    try {
      // Thread-local capture: other threads may keep using the GPU (the text tower, say).
      graph->capture_begin(pool_.value_or(c10::MempoolId_t{0, 0}),
                           cudaStreamCaptureModeThreadLocal);
      at::Tensor output;
      try {
        output = forward(bucket.input);
      } catch (...) {
        try {
          graph->capture_end();
        } catch (...) {
          // The capture is invalid anyway; ending it only returns the stream to normal use.
        }
        throw;
      }
      graph->capture_end();
      // Buckets share one memory pool: their graphs are only ever replayed one at a time on one
      // stream, and each output is copied out before the next replay.
      if (!pool_) pool_ = graph->pool();
      bucket.output = output;
      bucket.graph = std::move(graph);
    } catch (const std::exception& e) {
      (void)cudaGetLastError();        // clear a sticky capture error so later calls work
      if (is_out_of_memory(e)) throw;  // no graph kept: the next call of this size tries again
      bucket.eager = true;
    }
  }

  Bucket& bucket_for(int size) {
    std::lock_guard<std::mutex> lock(gpu_mutex_);
    auto found = buckets_.find(size);
    if (found != buckets_.end()) return *found->second;
    auto bucket = std::make_unique<Bucket>();
    bucket->size = size;
    const int64_t side = options_.image_size;
    const auto device = at::TensorOptions().device(options_.weights.device());
    for (auto& staging : bucket->staging) {
      // Zeros: rows past a batch's end are computed and ignored, and must be finite.
      staging = at::zeros({size, 3, side, side}, device.dtype(at::kFloat));
    }
    bucket->input = at::zeros({size, 3, side, side}, device.dtype(options_.weights.dtype()));
    bucket->eager = !options_.graphs;
    return *buckets_.emplace(size, std::move(bucket)).first->second;
  }

  std::unique_ptr<PinnedSlot> take_slot(Bucket& bucket) {
    {
      std::lock_guard<std::mutex> lock(bucket.slots_mutex);
      if (!bucket.free_slots.empty()) {
        auto slot = std::move(bucket.free_slots.back());
        bucket.free_slots.pop_back();
        return slot;
      }
    }
    auto slot = std::make_unique<PinnedSlot>();
    const auto pinned = at::TensorOptions().dtype(at::kFloat).pinned_memory(true);
    slot->embeddings = at::empty({bucket.size, options_.embed_dim}, pinned);
    slot->pixel_sum = at::zeros({}, pinned);
    return slot;
  }

  const ImageTower& tower_;
  const CudaImageRunnerOptions options_;
  const c10::DeviceIndex device_index_;
  c10::cuda::CUDAStream copy_stream_;
  c10::cuda::CUDAStream compute_stream_;
  std::mutex gpu_mutex_;  // guards buckets_, pool_ and the order of work on the GPU
  std::map<int, std::unique_ptr<Bucket>> buckets_;
  std::optional<c10::MempoolId_t> pool_;
};

}  // namespace

}  // namespace clip4j

// Exceptions cross into libclip4j only as libtorch's (exported) or standard types: this library's
// own types are hidden, so libclip4j could not catch them by type.
extern "C" __attribute__((visibility("default"))) clip4j::ImageBatchRunner*
clip4j_cuda_make_image_runner(const clip4j::ImageTower* tower,
                              const clip4j::CudaImageRunnerOptions* options) {
  if (options->max_bucket < 1) throw std::invalid_argument("max_bucket must be positive");
  return new clip4j::CudaGraphImageRunner(*tower, *options);
}

extern "C" __attribute__((visibility("default"))) void clip4j_cuda_pin_host_memory(
    const void* begin, size_t bytes) {
  clip4j::PinnedHostMemory::instance().pin(begin, bytes);
}

extern "C" __attribute__((visibility("default"))) void clip4j_cuda_unpin_host_memory(
    const void* begin) {
  clip4j::PinnedHostMemory::instance().unpin(begin);
}
