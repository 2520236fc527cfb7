package io.clip4j.bench;

import java.util.Map;

/** A CLIP runtime under test, in this JVM: clip4j itself or ONNX Runtime's Java API. */
public interface Runtime extends AutoCloseable {

  /** The name in reports. */
  String name();

  /** Library versions and settings worth recording beside the numbers. */
  Map<String, String> versions();

  /** Whether this runtime can run the case at all (ONNX Runtime has no image decoding). */
  boolean supports(BenchCase.Kind kind);

  /**
   * The call to time for one case, with its inputs prepared outside the timed region. The call must
   * be safe to run from several threads at once when {@link #threadSafe()} says so.
   */
  Runnable prepare(BenchCase benchCase, Workload workload) throws Exception;

  /** Whether {@link #prepare} calls may run concurrently (for the concurrent-callers case). */
  default boolean threadSafe() {
    return true;
  }

  /** The raw (unnormalised) image embedding of the workload's photo, to check same weights. */
  float[] imageEmbedding(Workload workload) throws Exception;
}
