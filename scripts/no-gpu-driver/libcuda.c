/*
 * A stand-in for NVIDIA's driver library (libcuda.so.1) on a machine without a GPU, for
 * scripts/check-gpu-loading: with it on LD_LIBRARY_PATH the gpu build loads every library it loads
 * on a GPU machine (CUDA's runtime, cuBLAS, cuDNN, libtorch_cuda, libclip4j_cuda), and then finds
 * no device. It exports no driver function: CUDA's runtime looks its entry points up when first
 * asked for a device, finds none, and answers that there is no usable driver, hence no device.
 * Never use it where a real driver is installed.
 */
int clip4j_no_gpu_driver(void) { return 0; }
