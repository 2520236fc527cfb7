// A stand-in for the few CUDA runtime declarations runner/cuda/pinned_host_memory.cpp uses, so
// that its registry can be compiled and tested on a machine without CUDA
// (native/tests/pinned_host_memory_test.cpp defines the functions and decides what they return).
#pragma once

#include <cstddef>

enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorMemoryAllocation = 2,
  cudaErrorHostMemoryAlreadyRegistered = 712,
};

constexpr unsigned int cudaHostRegisterPortable = 1;

cudaError_t cudaHostRegister(void* ptr, size_t size, unsigned int flags);
cudaError_t cudaHostUnregister(void* ptr);
cudaError_t cudaGetLastError();
const char* cudaGetErrorString(cudaError_t error);
