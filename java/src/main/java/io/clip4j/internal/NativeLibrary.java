package io.clip4j.internal;

import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
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
}
