// libclip4j_env.so: loaded by the Java side before libtorch, so that its constructor runs before
// libgomp reads the environment.
//
// libtorch's OpenMP threads spin for a while after each parallel region. With libtorch's own
// at::linear (CLIP4J_CPU_GEMM=libtorch) the linear layers run on OpenBLAS's threads, which then
// find no free core: on 2 cores a ViT-B-32 image took 650 ms instead of 85 ms. There a passive
// wait policy makes OpenMP threads sleep at once. With clip4j's packed kernels (the default)
// OpenBLAS runs single-threaded inside libtorch's loops, nothing competes with the spinning, and
// libgomp's default is kept: a forward pass is ~100 parallel regions back to back. A value the user
// set is always kept.
#include <cstdlib>
#include <cstring>

__attribute__((constructor)) static void clip4j_openmp_wait_policy() {
  const char* gemm = std::getenv("CLIP4J_CPU_GEMM");
  if (gemm != nullptr && std::strcmp(gemm, "libtorch") == 0) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  }
}
