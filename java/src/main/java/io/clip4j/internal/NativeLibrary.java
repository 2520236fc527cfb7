package io.clip4j.internal;

import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.bytedeco.javacpp.Loader;

/**
 * Loads the native runner once per JVM: first libtorch and OpenCV from their JavaCPP jars (so our
 * library binds to those exact copies, never a system one), then libclip4j and its JNI glue.
 */
public final class NativeLibrary {
  private static volatile boolean loaded;
  private static volatile boolean gpuBuild;
  private static volatile boolean cudaLoaded;
  private static volatile String cudaFailure;

  private NativeLibrary() {}

  /** Loads the libraries if needed; throws {@link ClipException} naming the platform on failure. */
  public static void ensureLoaded() {
    if (loaded) {
      return;
    }
    synchronized (NativeLibrary.class) {
      if (loaded) {
        return;
      }
      try {
        gpuBuild = selectGpuBuild();
        loadProcessEnvironment();
        Loader.load(org.bytedeco.pytorch.global.torch.class);
        if (gpuBuild) {
          // Beside libclip4j in JavaCPP's cache, where libclip4j looks for it (dlopen).
          try {
            Loader.cacheResource(NativeLibrary.class, nativeFolder() + "/libclip4j_cuda.so");
          } catch (IOException e) {
            throw new UncheckedIOException(e); // reported below like any other load failure
          }
        }
        Loader.load(org.bytedeco.opencv.global.opencv_imgcodecs.class);
        Loader.load(ClipFacade.class);
      } catch (UnsatisfiedLinkError | RuntimeException e) {
        throw new ClipException(
            ErrorCode.UNSUPPORTED,
            "cannot load the clip4j native runner for platform "
                + Loader.getPlatform()
                + " (this jar ships linux-x86_64): "
                + e.getMessage(),
            e);
      }
      loaded = true;
    }
  }

  /**
   * Before a model goes on a GPU: loads libtorch's CUDA library and the CUDA runtime through their
   * JavaCPP presets, which need NVIDIA's driver. The CPU build has nothing to load (its native side
   * answers that CUDA is unsupported).
   */
  public static void ensureCudaLoaded() {
    ensureLoaded();
    if (!gpuBuild || cudaLoaded) {
      return;
    }
    synchronized (NativeLibrary.class) {
      if (cudaLoaded) {
        return;
      }
      if (cudaFailure != null) { // JavaCPP cannot retry: its classes stay uninitialised
        throw new ClipException(ErrorCode.UNSUPPORTED, cudaFailure);
      }
      try {
        Loader.load(org.bytedeco.pytorch.global.torch_cuda.class);
      } catch (LinkageError | RuntimeException e) {
        cudaFailure = CudaLoadFailure.describe(rootCause(e).getMessage());
        throw new ClipException(ErrorCode.UNSUPPORTED, cudaFailure, e);
      }
      cudaLoaded = true;
    }
  }

  /** The innermost cause: the one that names the missing library (libcuda.so.1, say). */
  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * The gpu build keeps its libraries under {@code linux-x86_64-gpu}, linked against the -gpu
   * pytorch jar. JavaCPP loads every preset's -gpu variant only when asked to, so the jar that
   * holds them asks, unless the application already chose an extension.
   */
  private static boolean selectGpuBuild() {
    String key = "org.bytedeco.javacpp.platform.extension";
    boolean gpuBuild =
        NativeLibrary.class.getResource(Loader.getPlatform() + "-gpu/libclip4j.so") != null;
    if (gpuBuild && System.getProperty(key) == null) {
      System.setProperty(key, "-gpu");
    }
    return gpuBuild;
  }

  /** The folder beside this class that holds this build's native libraries. */
  private static String nativeFolder() {
    return Loader.getPlatform() + System.getProperty("org.bytedeco.javacpp.platform.extension", "");
  }

  /**
   * Loads libclip4j_env before libtorch: with CLIP4J_CPU_GEMM=libtorch its constructor sets
   * OMP_WAIT_POLICY=PASSIVE (unless the user set it) before libgomp reads the environment. Without
   * it, libtorch's spinning OpenMP threads and OpenBLAS's threads fight over the cores (8x slower
   * at batch 1 on 2 cores). It has no effect if another library loaded libgomp earlier in this JVM.
   */
  private static void loadProcessEnvironment() {
    try {
      File library =
          Loader.cacheResource(NativeLibrary.class, nativeFolder() + "/libclip4j_env.so");
      if (library != null) {
        System.load(library.getAbsolutePath());
      }
    } catch (IOException | UnsatisfiedLinkError e) {
      System.getLogger(NativeLibrary.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "OMP_WAIT_POLICY not set; CPU inference may be slower",
              e);
    }
  }
}
