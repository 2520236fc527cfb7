package io.clip4j;

import io.clip4j.internal.NativeModel;
import java.lang.ref.Cleaner;
import java.nio.FloatBuffer;

/**
 * Host memory for a batch of preprocessed images that {@link ClipModel#embedPixels(PixelBatch,
 * int)} reads where it lies, made by {@link ClipModel#newPixelBatch(int)}. On a GPU (the gpu build,
 * {@link Device#cuda(int)}) the memory is page-locked (pinned), so a batch goes to the device as it
 * is: no copy into clip4j's own pinned memory first, and its check for NaN and infinity runs on the
 * GPU (a failure is still named with its image and value). On the CPU it is a direct buffer, read
 * in place as any direct buffer is by {@link ClipModel#embedPixels(FloatBuffer)}.
 *
 * <p>Fill it with {@link ClipModel#preprocessInto(java.util.List, PixelBatch, int)} (encoded files
 * decoded straight into it), through {@link #image(int)} (one image's floats) or {@link #pixels()},
 * embed, and fill it again for the next batch. Make one per batch size and keep it: pinning takes
 * milliseconds, and pinned memory is locked out of the machine's paging for as long as it stays
 * pinned.
 *
 * <pre>{@code
 * try (PixelBatch batch = model.newPixelBatch(64)) {
 *   model.preprocessInto(jpegs, batch, 0);
 *   List<float[]> embeddings = model.embedPixels(batch, jpegs.size());
 * }
 * }</pre>
 *
 * <p>{@link #close()} unpins the memory once no native call is reading it; a batch that is never
 * closed is unpinned when it becomes unreachable. The buffers it handed out stay valid after close
 * (the JVM owns the memory), only no longer pinned. Thread-safe; writing images while a call reads
 * them gives unspecified embeddings for those images.
 */
public final class PixelBatch implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  private final FloatBuffer memory;
  private final int capacity;
  private final int imageSize;
  private final boolean pinned;
  private final Cleaner.Cleanable unpin;
  private volatile boolean closed;

  PixelBatch(FloatBuffer memory, int capacity, int imageSize, boolean pinned) {
    this.memory = memory;
    this.capacity = capacity;
    this.imageSize = imageSize;
    this.pinned = pinned;
    this.unpin = CLEANER.register(this, new Unpin(pinned ? memory : null));
  }

  /** How many images the batch holds. */
  public int capacity() {
    return capacity;
  }

  /** The side of its images in pixels: the model's input size. */
  public int imageSize() {
    return imageSize;
  }

  /** Floats per image: 3 x size x size (CHW). */
  public int imageFloats() {
    return 3 * imageSize * imageSize;
  }

  /** Whether the memory is page-locked for a GPU (false on the CPU, where nothing needs it). */
  public boolean pinned() {
    return pinned;
  }

  /**
   * The whole batch: {@code capacity() * imageFloats()} floats, direct, in native order, position
   * 0. A new view each time, sharing the memory.
   */
  public FloatBuffer pixels() {
    requireOpen();
    return memory.duplicate();
  }

  /** Image {@code index}'s {@link #imageFloats()} floats, a view to write it through. */
  public FloatBuffer image(int index) {
    requireOpen();
    if (index < 0 || index >= capacity) {
      throw new IndexOutOfBoundsException(
          "image " + index + " of a batch of " + capacity + " images");
    }
    return memory.slice(index * imageFloats(), imageFloats());
  }

  public boolean isClosed() {
    return closed;
  }

  /** Idempotent: unpins the memory once no native call is reading it. */
  @Override
  public void close() {
    closed = true;
    unpin.clean();
  }

  void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the PixelBatch is closed");
    }
  }

  /** Holds the memory itself, so that it is unpinned before the JVM can free it. */
  private record Unpin(FloatBuffer pinnedMemory) implements Runnable {
    @Override
    public void run() {
      if (pinnedMemory != null) {
        NativeModel.unpinPixels(pinnedMemory);
      }
    }
  }
}
