package io.clip4j;

import io.clip4j.internal.ClipFacade;

/**
 * How a model is loaded and run. Immutable; build one with {@link #builder()}.
 *
 * @param device where the model runs
 * @param precision the weights' and activations' format
 * @param threads intra-op CPU threads for the process (libtorch's setting is process-wide), at most
 *     {@link #MAX_THREADS}; 0 keeps the current setting, which loading refuses when it is over that
 *     (an {@code OMP_NUM_THREADS} of 16384, say)
 * @param batchSize how many inputs go into one native call; longer lists are split
 * @param normalize whether embeddings are divided by their L2 norm (open_clip's normalize=True)
 * @param maxImagePixels decoded images with more pixels are rejected
 * @param architecture the open_clip architecture name for a bare weights file (ignored for folders
 *     that carry their own config); null when the path says it all
 * @param cudaGraphs on a GPU (gpu build), whether the image tower runs as one CUDA graph per batch
 *     size bucket (fewer launches, lower latency; captured on first use); false runs it eagerly
 */
public record ClipOptions(
    Device device,
    Precision precision,
    int threads,
    int batchSize,
    boolean normalize,
    long maxImagePixels,
    String architecture,
    boolean cudaGraphs) {

  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final long DEFAULT_MAX_IMAGE_PIXELS = 1L << 27;

  /**
   * The most threads a model may ask for (1024): few machines have more hardware threads, and
   * OpenMP's start of that many threads can overflow the calling thread's stack.
   */
  public static final int MAX_THREADS = ClipFacade.CLIP4J_MAX_THREADS;

  public ClipOptions {
    if (device == null || precision == null) {
      throw new IllegalArgumentException("device and precision must not be null");
    }
    if (threads < 0 || threads > MAX_THREADS) {
      throw new IllegalArgumentException(
          "threads must be 0 (libtorch's setting) to " + MAX_THREADS + ": " + threads);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
    }
    if (maxImagePixels <= 0) {
      throw new IllegalArgumentException("maxImagePixels must be positive: " + maxImagePixels);
    }
  }

  /** CPU, fp32, all threads as libtorch sets them, batches of 32, normalised embeddings. */
  public static ClipOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .device(device)
        .precision(precision)
        .threads(threads)
        .batchSize(batchSize)
        .normalize(normalize)
        .maxImagePixels(maxImagePixels)
        .architecture(architecture)
        .cudaGraphs(cudaGraphs);
  }

  /** Builder for {@link ClipOptions}. Not thread-safe. */
  public static final class Builder {
    private Device device = Device.CPU;
    private Precision precision = Precision.FP32;
    private int threads;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private boolean normalize = true;
    private long maxImagePixels = DEFAULT_MAX_IMAGE_PIXELS;
    private String architecture;
    private boolean cudaGraphs = true;

    public Builder device(Device device) {
      this.device = device;
      return this;
    }

    public Builder precision(Precision precision) {
      this.precision = precision;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder normalize(boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    public Builder maxImagePixels(long maxImagePixels) {
      this.maxImagePixels = maxImagePixels;
      return this;
    }

    public Builder architecture(String architecture) {
      this.architecture = architecture;
      return this;
    }

    public Builder cudaGraphs(boolean cudaGraphs) {
      this.cudaGraphs = cudaGraphs;
      return this;
    }

    public ClipOptions build() {
      return new ClipOptions(
          device,
          precision,
          threads,
          batchSize,
          normalize,
          maxImagePixels,
          architecture,
          cudaGraphs);
    }
  }
}
