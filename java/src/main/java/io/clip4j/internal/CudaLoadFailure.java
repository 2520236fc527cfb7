package io.clip4j.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why the gpu build's CUDA libraries did not load, in words that say what to install. The two
 * common causes need different fixes: no NVIDIA driver ({@code libcuda.so.1}, which comes with the
 * GPU), or a driver but none of the CUDA libraries libtorch links against and no Maven Central jar
 * ships for JavaCPP 1.5.14 (cuBLAS, cuDNN, cuSOLVER, cuSPARSE, NCCL).
 */
final class CudaLoadFailure {
  /** The library the dynamic linker could not find, as glibc's dlopen error names it. */
  private static final Pattern MISSING_LIBRARY =
      Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file");

  private CudaLoadFailure() {}

  /** A message for {@code ClipException}, from the innermost cause's message. */
  static String describe(String cause) {
    String detail = cause == null ? "(no detail)" : cause;
    Matcher missing = MISSING_LIBRARY.matcher(detail);
    if (!missing.find()) {
      return "CUDA was asked for, but CUDA cannot load here: " + detail;
    }
    String library = missing.group(1);
    if (library.startsWith("libcuda.so")) {
      return "CUDA was asked for, but there is no NVIDIA driver here ("
          + library
          + " not found: no GPU, or its driver is not installed): "
          + detail;
    }
    return "CUDA was asked for, but "
        + library
        + " is missing: the gpu build needs cuBLAS 13, cuDNN 9, cuSOLVER 12, cuSPARSE 12 and"
        + " NCCL 2 on the library path (LD_LIBRARY_PATH), which no jar ships; a CUDA 13 install"
        + " has them, or NVIDIA's pip wheels (native/scripts/cuda-libraries.sh fetches them, and"
        + " bin/clip4j runs it): "
        + detail;
  }
}
