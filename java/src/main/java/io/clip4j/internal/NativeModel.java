package io.clip4j.internal;

import io.clip4j.ClipException;
import io.clip4j.ClipOptions;
import io.clip4j.Device;
import io.clip4j.ErrorCode;
import io.clip4j.config.ModelConfig;
import io.clip4j.config.PreprocessConfig;
import io.clip4j.config.TextConfig;
import io.clip4j.config.VisionConfig;
import io.clip4j.internal.ClipFacade.clip4j_load_options;
import io.clip4j.internal.ClipFacade.clip4j_model;
import io.clip4j.internal.ClipFacade.clip4j_model_config;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The one Java owner of a native model handle. Every native call goes through {@link #call}, which
 * counts calls in flight; {@link #close()} marks the model closed, waits for those calls to return,
 * then frees the handle exactly once. Thread-safe.
 */
public final class NativeModel implements AutoCloseable {
  private static final int ERROR_CAPACITY = 4096;
  private static final Cleaner CLEANER = Cleaner.create();
  private static final System.Logger LOG = System.getLogger(NativeModel.class.getName());

  private final clip4j_model handle;
  private final Object lock = new Object();
  private final LeakWarning leakWarning;
  private final Cleaner.Cleanable cleanable;
  private int callsInFlight;
  private boolean closed;

  /** A native operation on the handle that reports into an error buffer. */
  @FunctionalInterface
  public interface NativeCall {
    int run(clip4j_model handle, byte[] error, long errorCapacity);
  }

  private NativeModel(clip4j_model handle, String description) {
    this.handle = handle;
    this.leakWarning = new LeakWarning(description);
    this.cleanable = CLEANER.register(this, leakWarning);
  }

  /** Loads the weights at {@code weights} into the architecture {@code config}. */
  public static NativeModel load(Path weights, ModelConfig config, ClipOptions options) {
    NativeLibrary.ensureLoaded();
    if (options.device().type() == Device.Type.CUDA) {
      NativeLibrary.ensureCudaLoaded();
    }
    try (clip4j_load_options nativeOptions = toNative(options)) {
      return load(weights, config, nativeOptions);
    }
  }

  /** The C call itself, for options that {@link ClipOptions} would not let through (tests). */
  static NativeModel load(Path weights, ModelConfig config, clip4j_load_options nativeOptions) {
    try (clip4j_model_config nativeConfig = toNative(config)) {
      clip4j_model out = new clip4j_model();
      byte[] error = new byte[ERROR_CAPACITY];
      int status =
          ClipFacade.clip4j_model_load(
              weights.toAbsolutePath().toString(),
              nativeConfig,
              nativeOptions,
              out,
              error,
              error.length);
      check(status, error);
      if (out.isNull()) {
        throw new ClipException(ErrorCode.INTERNAL, "native load returned no model");
      }
      return new NativeModel(out, config.name() + " from " + weights);
    }
  }

  /** Runs {@code body} on the handle unless the model is closed; native failures throw. */
  public void call(NativeCall body) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the ClipModel is closed");
      }
      callsInFlight++;
    }
    try {
      byte[] error = new byte[ERROR_CAPACITY];
      check(body.run(handle, error, error.length), error);
    } finally {
      synchronized (lock) {
        if (--callsInFlight == 0) {
          lock.notifyAll();
        }
      }
    }
  }

  public long parameterCount() {
    long[] count = new long[1];
    call(
        (h, e, c) -> {
          count[0] = ClipFacade.clip4j_model_parameter_count(h);
          return 0;
        });
    return count[0];
  }

  /** Both towers' linear layers: {all of them, those on clip4j's packed CPU kernels}. */
  public long[] linearLayers() {
    long[] counts = new long[2];
    call(
        (h, e, c) -> {
          counts[0] = ClipFacade.clip4j_model_linear_layers(h);
          counts[1] = ClipFacade.clip4j_model_packed_linear_layers(h);
          return 0;
        });
    return counts;
  }

  public float logitScale() {
    float[] scale = new float[1];
    call(
        (h, e, c) -> {
          scale[0] = ClipFacade.clip4j_model_logit_scale(h);
          return 0;
        });
    return scale[0];
  }

  /**
   * Page-locks {@code memory} (a direct buffer, whole) for the model's GPU, so that pixels lying in
   * it reach the device without a copy; false on the CPU, where there is nothing to pin for.
   */
  public boolean pinPixels(FloatBuffer memory) {
    int[] pinned = new int[1];
    call(
        (h, e, c) ->
            ClipFacade.clip4j_pin_pixels(
                h, memory, memory.capacity(), IntBuffer.wrap(pinned), ByteBuffer.wrap(e), c));
    return pinned[0] != 0;
  }

  /** Undoes {@link #pinPixels} once no call is reading the memory; any model's, at any time. */
  public static void unpinPixels(FloatBuffer memory) {
    ClipFacade.clip4j_unpin_pixels(memory);
  }

  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Idempotent; waits for calls in flight, then frees the native model. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      boolean interrupted = false;
      while (callsInFlight > 0) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    leakWarning.closed = true;
    cleanable.clean();
    ClipFacade.clip4j_model_free(handle);
  }

  static void check(int status, byte[] error) {
    if (status == 0) {
      return;
    }
    int length = 0;
    while (length < error.length && error[length] != 0) {
      length++;
    }
    String message = new String(error, 0, length, StandardCharsets.UTF_8);
    throw new ClipException(
        ErrorCode.fromStatus(status), message.isEmpty() ? "native failure" : message);
  }

  private static clip4j_model_config toNative(ModelConfig config) {
    clip4j_model_config c = new clip4j_model_config();
    c.embed_dim(config.embedDim());
    c.activation(config.quickGelu() ? ClipFacade.CLIP4J_QUICK_GELU : ClipFacade.CLIP4J_GELU);
    c.layout(
        config.layout() == ModelConfig.WeightsLayout.HUGGING_FACE
            ? ClipFacade.CLIP4J_LAYOUT_HUGGING_FACE
            : ClipFacade.CLIP4J_LAYOUT_OPEN_CLIP);
    VisionConfig v = config.vision();
    c.vision()
        .tower(
            v.isResNet() ? ClipFacade.CLIP4J_MODIFIED_RESNET : ClipFacade.CLIP4J_VISION_TRANSFORMER)
        .image_size(v.imageSize())
        .patch_size(v.patchSize())
        .width(v.width())
        .layers(v.layers())
        .heads(v.heads())
        .mlp_width(v.mlpWidth())
        .pool(v.averagePool() ? ClipFacade.CLIP4J_POOL_AVERAGE : ClipFacade.CLIP4J_POOL_CLASS_TOKEN)
        .final_ln_after_pool(v.finalLnAfterPool() ? 1 : 0)
        .no_ln_pre(v.noLnPre() ? 1 : 0);
    if (v.isResNet()) {
      for (int i = 0; i < 4; i++) {
        c.vision().resnet_layers(i, v.resnetLayers()[i]);
      }
    }
    TextConfig t = config.text();
    c.text()
        .context_length(t.contextLength())
        .vocab_size(t.vocabSize())
        .width(t.width())
        .layers(t.layers())
        .heads(t.heads())
        .mlp_width(t.mlpWidth())
        .pool(
            switch (t.pool()) {
              case ARGMAX -> ClipFacade.CLIP4J_TEXT_POOL_ARGMAX;
              case LAST -> ClipFacade.CLIP4J_TEXT_POOL_LAST;
              case FIRST -> ClipFacade.CLIP4J_TEXT_POOL_FIRST;
            })
        .causal_mask(t.causalMask() ? 1 : 0)
        .final_ln_after_pool(t.finalLnAfterPool() ? 1 : 0);
    PreprocessConfig p = config.preprocess();
    c.preprocess()
        .size(p.size())
        .resize_mode(
            switch (p.resizeMode()) {
              case SHORTEST -> ClipFacade.CLIP4J_RESIZE_SHORTEST;
              case LONGEST -> ClipFacade.CLIP4J_RESIZE_LONGEST;
              case SQUASH -> ClipFacade.CLIP4J_RESIZE_SQUASH;
            })
        .interpolation(
            switch (p.interpolation()) {
              case BICUBIC -> ClipFacade.CLIP4J_BICUBIC;
              case BILINEAR -> ClipFacade.CLIP4J_BILINEAR;
            })
        .fill_color(p.fillColor())
        .style(
            p.style() == PreprocessConfig.Style.HUGGING_FACE
                ? ClipFacade.CLIP4J_STYLE_HUGGING_FACE
                : ClipFacade.CLIP4J_STYLE_OPEN_CLIP)
        .rescale_factor(p.rescaleFactor());
    float[] mean = p.mean();
    float[] std = p.std();
    for (int i = 0; i < 3; i++) {
      c.preprocess().mean(i, mean[i]).std(i, std[i]);
    }
    return c;
  }

  static clip4j_load_options toNative(ClipOptions options) {
    clip4j_load_options o = new clip4j_load_options();
    Device device = options.device();
    o.device(
            device.type() == Device.Type.CPU
                ? ClipFacade.CLIP4J_DEVICE_CPU
                : ClipFacade.CLIP4J_DEVICE_CUDA)
        .device_index(device.index())
        .precision(
            switch (options.precision()) {
              case FP32 -> ClipFacade.CLIP4J_FP32;
              case FP16 -> ClipFacade.CLIP4J_FP16;
              case BF16 -> ClipFacade.CLIP4J_BF16;
            })
        .num_threads(options.threads())
        .max_image_pixels(options.maxImagePixels())
        .cuda_graphs_off(options.cudaGraphs() ? 0 : 1);
    return o;
  }

  /** Logs a model that became unreachable without close(); its native memory is then lost. */
  private static final class LeakWarning implements Runnable {
    private final String description;
    volatile boolean closed;

    LeakWarning(String description) {
      this.description = description;
    }

    @Override
    public void run() {
      if (!closed) {
        LOG.log(
            System.Logger.Level.WARNING,
            "ClipModel " + description + " was never closed: its native memory leaks");
      }
    }
  }
}
