package io.clip4j;

import io.clip4j.config.CheckpointResolver;
import io.clip4j.config.CheckpointResolver.ResolvedCheckpoint;
import io.clip4j.internal.ClipFacade;
import io.clip4j.internal.ImageInList;
import io.clip4j.internal.NativeModel;
import io.clip4j.tokenizer.ClipTokenizer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A CLIP model loaded into the native runner: image and text embeddings that equal open_clip's for
 * the same weights and inputs. Lists are split into batches of {@link ClipOptions#batchSize()}, one
 * native call each.
 *
 * <p>Thread-safe: any number of threads may embed at once. {@link #close()} is idempotent, waits
 * for calls in flight and makes later calls throw {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (ClipModel model = ClipModel.load(Path.of("ViT-B-32"))) {
 *   float[] image = model.embedImage(Path.of("cat.jpg"));
 *   float[] text = model.embedText("a photo of a cat");
 * }
 * }</pre>
 */
public final class ClipModel implements AutoCloseable {
  private final NativeModel model;
  private final ModelInfo info;
  private final ClipOptions options;
  private final ClipTokenizer tokenizer;

  private ClipModel(
      NativeModel model, ModelInfo info, ClipOptions options, ClipTokenizer tokenizer) {
    this.model = model;
    this.info = info;
    this.options = options;
    this.tokenizer = tokenizer;
  }

  /** Loads an open_clip model folder with default options (CPU, fp32, normalised embeddings). */
  public static ClipModel load(Path path) {
    return load(path, ClipOptions.defaults());
  }

  /**
   * Loads {@code path}: an open_clip model folder ({@code open_clip_config.json} and weights), or a
   * {@code .safetensors}/{@code .bin}/{@code .pt} state dict with {@link
   * ClipOptions#architecture()} naming its open_clip config.
   */
  public static ClipModel load(Path path, ClipOptions options) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(options, "options");
    ResolvedCheckpoint checkpoint = CheckpointResolver.resolve(path, options.architecture());
    ClipTokenizer tokenizer = checkpoint.tokenizerOrDefault();
    if (checkpoint.config().text().vocabSize() < tokenizer.vocabularySize()) {
      throw new ClipException(
          ErrorCode.UNSUPPORTED,
          "the text tower's vocabulary has "
              + checkpoint.config().text().vocabSize()
              + " tokens; its tokenizer has "
              + tokenizer.vocabularySize());
    }
    NativeModel nativeModel = NativeModel.load(checkpoint.weights(), checkpoint.config(), options);
    long[] linearLayers = nativeModel.linearLayers();
    ModelInfo info =
        new ModelInfo(
            checkpoint.config().name(),
            checkpoint.format(),
            checkpoint.weights(),
            checkpoint.config(),
            nativeModel.parameterCount(),
            nativeModel.logitScale(),
            linearLayers[0],
            linearLayers[1]);
    return new ClipModel(nativeModel, info, options, tokenizer);
  }

  public ModelInfo info() {
    return info;
  }

  public ClipOptions options() {
    return options;
  }

  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  // ---- text ----

  public float[] embedText(String text) {
    return embedTexts(List.of(requireText(text))).get(0);
  }

  public List<float[]> embedTexts(List<String> texts) {
    requireNonEmpty(texts, "texts");
    texts.forEach(ClipModel::requireText);
    return inBatches(texts, batch -> embedTokens(tokenize(batch)));
  }

  /** Token ids as open_clip's tokenizer makes them: one row of {@code contextLength} per text. */
  public long[][] tokenize(List<String> texts) {
    requireNonEmpty(texts, "texts");
    int context = info.contextLength();
    long[][] rows = new long[texts.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = tokenizer.tokenize(requireText(texts.get(i)), context);
    }
    return rows;
  }

  /** Text embeddings from token rows (each {@link ModelInfo#contextLength()} ids). */
  public List<float[]> embedTokens(long[][] rows) {
    if (rows == null || rows.length == 0) {
      throw new IllegalArgumentException("token rows must not be empty");
    }
    int context = info.contextLength();
    int vocab = info.config().text().vocabSize();
    for (long[] row : rows) {
      if (row == null || row.length != context) {
        throw new IllegalArgumentException("each token row must hold " + context + " ids");
      }
      for (long id : row) {
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException("token id " + id + " outside [0, " + vocab + ")");
        }
      }
    }
    List<long[]> list = List.of(rows);
    return inBatches(
        list,
        batch -> {
          long[] flat = concat(batch, new long[batch.size() * context], context);
          return embedBatch(
              batch.size(),
              (h, out, e, c) ->
                  ClipFacade.clip4j_encode_text(
                      h, flat, batch.size(), context, normalizeFlag(), out, e, c));
        });
  }

  // ---- images ----

  /** The embedding of an image file (JPEG, PNG, BMP, WebP, TIFF, ...). */
  public float[] embedImage(Path file) {
    return embedImageFiles(List.of(file)).get(0);
  }

  public List<float[]> embedImageFiles(List<Path> files) {
    requireNonEmpty(files, "files");
    List<byte[]> encoded = new ArrayList<>(files.size());
    for (Path file : files) {
      byte[] bytes = readFile(file);
      if (bytes.length == 0) {
        throw new ClipException(ErrorCode.BAD_IMAGE, file + ": the file is empty");
      }
      encoded.add(bytes);
    }
    return embedEncodedImages(encoded);
  }

  /** The embedding of an encoded image file's bytes. */
  public float[] embedImage(byte[] encoded) {
    return embedEncodedImages(List.of(encoded)).get(0);
  }

  public List<float[]> embedEncodedImages(List<byte[]> images) {
    requireNonEmpty(images, "images");
    requireNoEmptyImage(images);
    return inBatches(
        images,
        batch -> {
          EncodedBatch b = EncodedBatch.of(batch);
          return embedBatch(
              batch.size(),
              (h, out, e, c) ->
                  ClipFacade.clip4j_encode_images(
                      h, b.data, b.offsets, batch.size(), normalizeFlag(), out, e, c));
        });
  }

  /** The embedding of a {@link BufferedImage}, read as sRGB (alpha is dropped, as PIL does). */
  public float[] embedImage(BufferedImage image) {
    return embedImages(List.of(image)).get(0);
  }

  public List<float[]> embedImages(List<BufferedImage> images) {
    requireNonEmpty(images, "images");
    List<RgbImage> rgb = new ArrayList<>(images.size());
    for (BufferedImage image : images) {
      rgb.add(RgbImage.of(Objects.requireNonNull(image, "image")));
    }
    return embedRgb(rgb);
  }

  /** The embedding of 8-bit RGB pixels, row-major and interleaved (width * height * 3 bytes). */
  public float[] embedRgb(byte[] rgb, int width, int height) {
    return embedRgb(List.of(new RgbImage(rgb, width, height))).get(0);
  }

  public List<float[]> embedRgb(List<RgbImage> images) {
    requireNonEmpty(images, "images");
    return inBatches(
        images,
        batch -> {
          RgbBatch b = RgbBatch.of(batch);
          return embedBatch(
              batch.size(),
              (h, out, e, c) ->
                  ClipFacade.clip4j_encode_rgb(
                      h,
                      b.data,
                      b.offsets,
                      b.widths,
                      b.heights,
                      batch.size(),
                      normalizeFlag(),
                      out,
                      e,
                      c));
        });
  }

  /**
   * Image embeddings from preprocessed pixels, as {@link #preprocess(byte[])} returns them: each 3
   * x size x size floats.
   */
  public List<float[]> embedPixels(List<float[]> pixels) {
    requireNonEmpty(pixels, "pixels");
    int size = 3 * info.imageSize() * info.imageSize();
    for (int i = 0; i < pixels.size(); i++) {
      float[] p = pixels.get(i);
      if (p == null || p.length != size) {
        throw new IllegalArgumentException(
            "each pixel tensor must hold 3 x "
                + info.imageSize()
                + " x "
                + info.imageSize()
                + " floats");
      }
      // A NaN does not always survive the forward pass (a fused ReLU makes it 0): the embedding
      // would come out finite and wrong. The native side checks too, for its C callers.
      for (int j = 0; j < size; j++) {
        if (!Float.isFinite(p[j])) {
          throw new IllegalArgumentException(
              "pixel tensor "
                  + i
                  + " holds "
                  + p[j]
                  + " at index "
                  + j
                  + ": pixels must be finite");
        }
      }
    }
    return inBatches(
        pixels,
        batch -> {
          float[] flat = concat(batch, new float[batch.size() * size], size);
          return embedBatch(
              batch.size(),
              (h, out, e, c) ->
                  ClipFacade.clip4j_encode_pixels(
                      h, flat, batch.size(), normalizeFlag(), out, e, c));
        });
  }

  /**
   * Image embeddings from preprocessed pixels in a buffer: {@code pixels.remaining()} floats, a
   * whole number of 3 x size x size images (CHW) back to back, as {@link #preprocess(byte[])}
   * writes them. The fast path for large batches: a direct buffer ({@code
   * ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder()).asFloatBuffer()}) is read in place,
   * with no copy and no scan on the Java side, where {@link #embedPixels(List)} concatenates the
   * arrays, checks them and JNI copies them again (at batch 256 of 224 x 224 images, 154 MB each
   * time). The native runner checks every value as it reads it: a NaN or infinity fails with {@link
   * ErrorCode#INVALID_ARGUMENT} naming the image and value. A heap buffer is copied once. The
   * buffer's position is left as it was; it must not change during the call.
   */
  public List<float[]> embedPixels(FloatBuffer pixels) {
    Objects.requireNonNull(pixels, "pixels");
    int size = 3 * info.imageSize() * info.imageSize();
    int images = pixels.remaining() / size;
    if (images == 0 || pixels.remaining() % size != 0) {
      throw new IllegalArgumentException(
          "the pixel buffer holds "
              + pixels.remaining()
              + " floats: not a whole, positive number of images of 3 x "
              + info.imageSize()
              + " x "
              + info.imageSize());
    }
    if (pixels.isDirect() && pixels.order() != ByteOrder.nativeOrder()) {
      throw new IllegalArgumentException(
          "the pixel buffer is "
              + pixels.order()
              + "; the native runner reads "
              + ByteOrder.nativeOrder()
              + " floats (ByteBuffer.order(ByteOrder.nativeOrder()) before asFloatBuffer())");
    }
    int first = pixels.position();
    return inRanges(
        images,
        (start, count) -> {
          FloatBuffer range = pixels.slice(first + start * size, count * size);
          return embedBatch(
              count,
              (h, out, e, c) ->
                  range.isDirect()
                      ? ClipFacade.clip4j_encode_pixels(
                          h,
                          range,
                          count,
                          normalizeFlag(),
                          FloatBuffer.wrap(out),
                          ByteBuffer.wrap(e),
                          c)
                      : ClipFacade.clip4j_encode_pixels(
                          h, heapCopy(range), count, normalizeFlag(), out, e, c));
        });
  }

  /**
   * Host memory for {@code capacity} preprocessed images of this model's size, which {@link
   * #embedPixels(PixelBatch, int)} reads where it lies: page-locked for the GPU on a GPU, so the
   * batch is copied to the device as it is and checked there; a direct buffer on the CPU. Make one
   * per batch size and reuse it; close it when done.
   *
   * @throws IllegalArgumentException if {@code capacity} is not positive or the batch would pass 2
   *     GB (one direct buffer's limit)
   * @throws ClipException {@link ErrorCode#DEVICE_ERROR} if the driver refuses to pin the memory,
   *     {@link ErrorCode#OUT_OF_MEMORY} if the JVM has no direct memory left for it
   */
  public PixelBatch newPixelBatch(int capacity) {
    int imageFloats = 3 * info.imageSize() * info.imageSize();
    long most = Integer.MAX_VALUE / (4L * imageFloats);
    if (capacity < 1 || capacity > most) {
      throw new IllegalArgumentException(
          "a pixel batch holds 1 to "
              + most
              + " images of "
              + info.imageSize()
              + " x "
              + info.imageSize()
              + " (one buffer of at most 2 GB), not "
              + capacity);
    }
    FloatBuffer memory;
    try {
      memory =
          ByteBuffer.allocateDirect(4 * capacity * imageFloats)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
    } catch (OutOfMemoryError e) {
      throw new ClipException(
          ErrorCode.OUT_OF_MEMORY,
          "no room for a pixel batch of "
              + (4L * capacity * imageFloats >> 20)
              + " MiB of direct memory (-XX:MaxDirectMemorySize)",
          e);
    }
    return new PixelBatch(memory, capacity, info.imageSize(), model.pinPixels(memory));
  }

  /**
   * Image embeddings of the batch's first {@code count} images, read where they lie (see {@link
   * PixelBatch}); split into native calls of the batch size like every list. A NaN or infinity
   * fails with {@link ErrorCode#INVALID_ARGUMENT} naming the image and value.
   *
   * @throws IllegalArgumentException if {@code count} is not in 1..capacity, or the batch holds
   *     images of another size than this model's
   * @throws IllegalStateException if the batch or the model is closed
   */
  public List<float[]> embedPixels(PixelBatch batch, int count) {
    Objects.requireNonNull(batch, "batch");
    requireSameImageSize(batch);
    if (count < 1 || count > batch.capacity()) {
      throw new IllegalArgumentException(
          "count " + count + " is not in 1.." + batch.capacity() + ", the batch's capacity");
    }
    return embedPixels(batch.pixels().limit(count * batch.imageFloats()));
  }

  /**
   * Decodes and preprocesses encoded image files straight into the batch, image {@code i} of the
   * list at the batch's image {@code first + i}: in parallel over the images, in native code, with
   * no copy on the Java side (on a GPU into pinned memory). One thread can fill one batch while
   * another embeds the previous one. The same pixels as {@link #preprocess(byte[])}; a file that
   * does not decode fails with {@link ErrorCode#BAD_IMAGE} naming its position in the list.
   *
   * @throws IllegalArgumentException if the images do not fit the batch from {@code first}, or the
   *     batch holds images of another size than this model's
   */
  public void preprocessInto(List<byte[]> images, PixelBatch batch, int first) {
    requireNonEmpty(images, "images");
    Objects.requireNonNull(batch, "batch");
    requireSameImageSize(batch);
    if (first < 0 || first > batch.capacity() - images.size()) {
      throw new IllegalArgumentException(
          images.size()
              + " images from image "
              + first
              + " do not fit a batch of "
              + batch.capacity());
    }
    requireNoEmptyImage(images);
    FloatBuffer pixels = batch.pixels();
    int size = batch.imageFloats();
    inRanges(
        images.size(),
        (start, count) -> {
          EncodedBatch b = EncodedBatch.of(images.subList(start, start + count));
          FloatBuffer out = pixels.slice((first + start) * size, count * size);
          model.call(
              (h, e, c) ->
                  ClipFacade.clip4j_preprocess_images(
                      h,
                      ByteBuffer.wrap(b.data),
                      LongBuffer.wrap(b.offsets),
                      count,
                      out,
                      ByteBuffer.wrap(e),
                      c));
          return List.of();
        });
  }

  private static void requireNoEmptyImage(List<byte[]> images) {
    for (int i = 0; i < images.size(); i++) {
      if (images.get(i).length == 0) {
        // Named by position, as the native side names an image it cannot decode.
        throw new ClipException(ErrorCode.BAD_IMAGE, "image " + i + ": image data is empty");
      }
    }
  }

  private void requireSameImageSize(PixelBatch batch) {
    if (batch.imageSize() != info.imageSize()) {
      throw new IllegalArgumentException(
          "the batch holds images of "
              + batch.imageSize()
              + " x "
              + batch.imageSize()
              + "; this model takes "
              + info.imageSize()
              + " x "
              + info.imageSize());
    }
  }

  private static float[] heapCopy(FloatBuffer range) {
    float[] copy = new float[range.remaining()];
    range.duplicate().get(copy);
    return copy;
  }

  /** The model's preprocessing of an encoded image: 3 x size x size floats, CHW. */
  public float[] preprocess(byte[] encoded) {
    if (encoded == null || encoded.length == 0) {
      throw new ClipException(ErrorCode.BAD_IMAGE, "image data is empty");
    }
    EncodedBatch b = EncodedBatch.of(List.of(encoded));
    float[] out = new float[3 * info.imageSize() * info.imageSize()];
    model.call(
        (h, e, c) -> ClipFacade.clip4j_preprocess_images(h, b.data, b.offsets, 1, out, e, c));
    return out;
  }

  /** The model's preprocessing of 8-bit RGB pixels: 3 x size x size floats, CHW. */
  public float[] preprocessRgb(byte[] rgb, int width, int height) {
    RgbBatch b = RgbBatch.of(List.of(new RgbImage(rgb, width, height)));
    float[] out = new float[3 * info.imageSize() * info.imageSize()];
    model.call(
        (h, e, c) ->
            ClipFacade.clip4j_preprocess_rgb(
                h, b.data, b.offsets, b.widths, b.heights, 1, out, e, c));
    return out;
  }

  /** Idempotent: waits for calls in flight, then frees the native model. */
  @Override
  public void close() {
    model.close();
  }

  // ---- helpers ----

  private int normalizeFlag() {
    return options.normalize() ? 1 : 0;
  }

  private <T> List<float[]> inBatches(
      List<T> items, java.util.function.Function<List<T>, List<float[]>> run) {
    return inRanges(items.size(), (start, count) -> run.apply(items.subList(start, start + count)));
  }

  /** {@code run(start, count)} over [0, total) in ranges of at most the batch size. */
  private List<float[]> inRanges(int total, BiFunction<Integer, Integer, List<float[]>> run) {
    if (model.isClosed()) {
      throw new IllegalStateException("the ClipModel is closed");
    }
    List<float[]> out = new ArrayList<>(total);
    for (int start = 0; start < total; start += options.batchSize()) {
      try {
        out.addAll(run.apply(start, Math.min(total - start, options.batchSize())));
      } catch (ClipException e) {
        throw start == 0 ? e : renumbered(e, start);
      }
    }
    return out;
  }

  /** The runner numbers images within its batch; the caller's list is numbered from its start. */
  private static ClipException renumbered(ClipException e, int offset) {
    return ImageInList.of(e)
        .map(
            image ->
                new ClipException(
                    e.code(),
                    new ImageInList(image.index() + offset, image.problem()).message(),
                    e))
        .orElse(e);
  }

  /** A native call that writes {@code rows x embeddingSize} floats into {@code out}. */
  @FunctionalInterface
  private interface EmbedCall {
    int run(ClipFacade.clip4j_model handle, float[] out, byte[] error, long errorCapacity);
  }

  private List<float[]> embedBatch(int rows, EmbedCall call) {
    float[] out = new float[rows * info.embeddingSize()];
    model.call((h, e, c) -> call.run(h, out, e, c));
    return split(out, rows);
  }

  /**
   * Copies equally long arrays ({@code long[]} or {@code float[]}) back to back into {@code out}.
   */
  private static <A> A concat(List<A> arrays, A out, int each) {
    for (int i = 0; i < arrays.size(); i++) {
      System.arraycopy(arrays.get(i), 0, out, i * each, each);
    }
    return out;
  }

  private List<float[]> split(float[] flat, int rows) {
    int dim = info.embeddingSize();
    List<float[]> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      float[] row = new float[dim];
      System.arraycopy(flat, i * dim, row, 0, dim);
      out.add(row);
    }
    return out;
  }

  private static String requireText(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text is null");
    }
    return text;
  }

  private static void requireNonEmpty(List<?> list, String what) {
    if (list == null || list.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    for (Object o : list) {
      if (o == null) {
        throw new IllegalArgumentException(what + " must not contain null");
      }
    }
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ClipException(ErrorCode.IO_ERROR, "no such file: " + file, e);
    } catch (IOException e) {
      throw new ClipException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Encoded files back to back with their offsets, the facade's layout. */
  private record EncodedBatch(byte[] data, long[] offsets) {
    static EncodedBatch of(List<byte[]> images) {
      long total = 0;
      for (byte[] image : images) {
        total += image.length;
      }
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("a batch of encoded images must stay under 2 GiB");
      }
      byte[] data = new byte[(int) total];
      long[] offsets = new long[images.size() + 1];
      int pos = 0;
      for (int i = 0; i < images.size(); i++) {
        offsets[i] = pos;
        System.arraycopy(images.get(i), 0, data, pos, images.get(i).length);
        pos += images.get(i).length;
      }
      offsets[images.size()] = pos;
      return new EncodedBatch(data, offsets);
    }
  }

  /** RGB images back to back with offsets and sizes, the facade's layout. */
  private record RgbBatch(byte[] data, long[] offsets, int[] widths, int[] heights) {
    static RgbBatch of(List<RgbImage> images) {
      long total = 0;
      for (RgbImage image : images) {
        total += image.pixels().length;
      }
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("a batch of RGB images must stay under 2 GiB");
      }
      byte[] data = new byte[(int) total];
      long[] offsets = new long[images.size()];
      int[] widths = new int[images.size()];
      int[] heights = new int[images.size()];
      int pos = 0;
      for (int i = 0; i < images.size(); i++) {
        RgbImage image = images.get(i);
        offsets[i] = pos;
        widths[i] = image.width();
        heights[i] = image.height();
        System.arraycopy(image.pixels(), 0, data, pos, image.pixels().length);
        pos += image.pixels().length;
      }
      return new RgbBatch(data, offsets, widths, heights);
    }
  }
}
