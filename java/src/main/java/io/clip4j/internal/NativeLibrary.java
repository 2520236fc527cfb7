package io.clip4j.internal;

import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import java.io.File;
import java.io.IOException;
import org.bytedeco.javacpp.Loader;

/**
 * Loads the native runner once per JVM: first libtorch and OpenCV from their JavaCPP jars (so our
 * library binds to those exact copies, never a system one), then libclip4j and its JNI glue.
 */
public final class NativeLibrary {
  private static volatile boolean loaded;

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
        loadProcessEnvironment();
        Loader.load(org.bytedeco.pytorch.global.torch.class);
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
   * Loads libclip4j_env before libtorch: its constructor sets OMP_WAIT_POLICY=PASSIVE (unless the
   * user set it) before libgomp reads the environment. Without it, libtorch's spinning OpenMP
   * threads and OpenBLAS's threads fight over the cores (8x slower at batch 1 on 2 cores). It has
   * no effect if another library loaded libgomp earlier in this JVM.
   */
  private static void loadProcessEnvironment() {
    try {
      File library =
          Loader.cacheResource(NativeLibrary.class, Loader.getPlatform() + "/libclip4j_env.so");
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
