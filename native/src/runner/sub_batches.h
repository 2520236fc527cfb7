// Batches split by thread on the CPU: a batch with enough items per thread runs as one sub-batch
// per libtorch thread, each sub-batch on its thread alone, instead of every operator spread over
// all threads. Inside a parallel region libtorch's operators and oneDNN's primitives run on the
// calling thread, so no thread waits for another's share of an operator or through the serial
// stretches between operators. Where that pays was measured (README, Speed): half-precision image
// batches (oneDNN ran some bfloat16 products of a whole batch on one thread) and text batches in
// every precision (short products, serial steps); float32 image batches were level and stay whole.
#pragma once

#include <cstdint>
#include <functional>

namespace clip4j {

// Runs items [first, first + count) as run(start, n) calls under inference mode: one call on this
// thread, or, where each of libtorch's threads would get at least `minimum_per_thread` items, one
// call per thread on consecutive ranges whose sizes differ by one at most. The first exception a
// call throws is rethrown here.
void run_split_by_thread(int64_t first, int64_t count, int64_t minimum_per_thread,
                         const std::function<void(int64_t start, int64_t n)>& run);

}  // namespace clip4j
