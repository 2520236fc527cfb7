package io.clip4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Dynamic micro-batching for many concurrent callers: single requests from any number of threads
 * are coalesced into one batch call of up to {@code maxBatch} inputs, or whatever arrived within
 * {@code maxWait} of the first one, and each caller gets its own future.
 *
 * <p>A batch call that fails is retried one input at a time, so one caller's bad input (an image
 * that does not decode) fails only that caller's future. Thread-safe. {@link #close()} finishes the
 * requests already submitted; later submissions throw {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (MicroBatcher<byte[], float[]> images =
 *     new MicroBatcher<>(model::embedEncodedImages, 32, Duration.ofMillis(2))) {
 *   float[] embedding = images.submit(jpegBytes).join();   // from any request thread
 * }
 * }</pre>
 *
 * @param <I> one input, such as encoded image bytes or a text
 * @param <O> one output, such as an embedding
 */
public final class MicroBatcher<I, O> implements AutoCloseable {
  private record Request<I, O>(I input, CompletableFuture<O> result) {}

  private static final Request<?, ?> STOP = new Request<>(null, null);

  private final Function<List<I>, List<O>> batchFunction;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final BlockingQueue<Request<I, O>> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private volatile boolean closed;

  /**
   * @param batchFunction computes the outputs of a list of inputs, in order (for example {@link
   *     ClipModel#embedEncodedImages})
   * @param maxBatch the most inputs in one call
   * @param maxWait how long the first request of a batch may wait for others
   */
  public MicroBatcher(Function<List<I>, List<O>> batchFunction, int maxBatch, Duration maxWait) {
    this.batchFunction = Objects.requireNonNull(batchFunction, "batchFunction");
    if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1");
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must be zero or positive");
    }
    this.maxBatch = maxBatch;
    this.maxWaitNanos = maxWait.toNanos();
    this.worker = new Thread(this::run, "clip4j-micro-batcher");
    worker.setDaemon(true);
    worker.start();
  }

  /** Queues one input; the future completes with its output or the exception its input caused. */
  public CompletableFuture<O> submit(I input) {
    Objects.requireNonNull(input, "input");
    CompletableFuture<O> result = new CompletableFuture<>();
    synchronized (this) {
      if (closed) throw new IllegalStateException("the micro-batcher is closed");
      queue.add(new Request<>(input, result));
    }
    return result;
  }

  /** Finishes every request submitted so far, then stops the worker thread. Idempotent. */
  @Override
  @SuppressWarnings("unchecked")
  public void close() {
    synchronized (this) {
      if (closed) return;
      closed = true;
      queue.add((Request<I, O>) STOP);
    }
    // A caller's future callback runs on the worker: closing from there must not wait on itself.
    if (Thread.currentThread() == worker) return;
    boolean interrupted = false;
    while (worker.isAlive()) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  private void run() {
    List<Request<I, O>> batch = new ArrayList<>(maxBatch);
    boolean stopping = false;
    while (!stopping) {
      batch.clear();
      try {
        Request<I, O> first = queue.take();
        if (first == STOP) break;
        batch.add(first);
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxBatch) {
          long left = deadline - System.nanoTime();
          Request<I, O> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) break;
          if (next == STOP) {
            stopping = true;
            break;
          }
          batch.add(next);
        }
      } catch (InterruptedException e) {
        // Only close() ends the worker; an interrupt from elsewhere just ends the wait, and the
        // requests already taken from the queue still run.
      }
      if (!batch.isEmpty()) execute(batch);
    }
  }

  private void execute(List<Request<I, O>> batch) {
    List<I> inputs = new ArrayList<>(batch.size());
    for (Request<I, O> request : batch) inputs.add(request.input());
    try {
      List<O> outputs = batchFunction.apply(inputs);
      if (outputs.size() != inputs.size()) {
        throw new IllegalStateException(
            "the batch function returned " + outputs.size() + " outputs for " + inputs.size());
      }
      for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(outputs.get(i));
    } catch (RuntimeException | Error batchFailure) {
      if (batch.size() == 1) {
        batch.get(0).result().completeExceptionally(batchFailure);
        return;
      }
      // Find whose input it was: each request alone gets its own result or its own error.
      for (Request<I, O> request : batch) {
        try {
          request.result().complete(batchFunction.apply(List.of(request.input())).get(0));
        } catch (RuntimeException | Error e) {
          request.result().completeExceptionally(e);
        }
      }
    }
  }
}
