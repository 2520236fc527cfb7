package io.clip4j.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The gpu build's load failures name their fix. The causes are glibc's messages as JavaCPP's loader
 * reported them here, on a machine without a GPU (scripts/check-gpu-loading runs the whole chain).
 */
class CudaLoadFailureTest {
  private static final String JAR =
      "/cache/cuda-13.3-9.25-1.5.14-linux-x86_64.jar/org/bytedeco/cuda/linux-x86_64/";

  @Test
  void noDriverIsCalledThat() {
    String message = describeMissing("libjnicudart.so", "libcuda.so.1");
    assertTrue(message.contains("no NVIDIA driver here (libcuda.so.1 not found"), message);
    assertFalse(message.contains("cuBLAS"), message);
  }

  @Test
  void aMissingCudaLibraryIsNamedWithWhatToInstall() {
    String message = describeMissing("libjnicublas.so", "libcublas.so.13");
    assertTrue(message.contains("libcublas.so.13 is missing"), message);
    assertTrue(message.contains("cuDNN 9"), message);
    assertTrue(message.contains("native/scripts/cuda-libraries.sh"), message);
    assertFalse(message.contains("driver"), message);
  }

  /** glibc's message when {@code loaded} (in the cuda jar) needs {@code missing}. */
  private static String describeMissing(String loaded, String missing) {
    return CudaLoadFailure.describe(
        JAR
            + loaded
            + ": "
            + missing
            + ": cannot open shared object file: No such file or directory");
  }

  @Test
  void anyOtherFailureKeepsItsDetail() {
    String message = CudaLoadFailure.describe("no jnitorch_cuda in java.library.path");
    assertTrue(
        message.endsWith("cannot load here: no jnitorch_cuda in java.library.path"), message);
    assertTrue(CudaLoadFailure.describe(null).endsWith("(no detail)"));
  }
}
