package io.clip4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.ClipException;
import io.clip4j.ClipOptions;
import io.clip4j.ErrorCode;
import io.clip4j.config.CheckpointResolver;
import io.clip4j.config.CheckpointResolver.ResolvedCheckpoint;
import io.clip4j.internal.ClipFacade.clip4j_load_options;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The C API checks its load options itself: C callers do not pass through {@link ClipOptions}. */
@Tag("native")
class NativeLoadOptionsTest {
  private static final Path VIT_TINY =
      Path.of(System.getProperty("clip4j.repo", ".")).resolve("models/fixtures/vit-tiny");

  /**
   * 16,384 threads reached OpenMP, whose start of that team overflowed the calling thread's stack
   * (SIGSEGV, no message); the runner now refuses more than CLIP4J_MAX_THREADS before it sets any.
   */
  @Test
  void moreThreadsThanTheLimitAreAnInvalidArgument() {
    NativeLibrary.ensureLoaded();
    ResolvedCheckpoint checkpoint = CheckpointResolver.resolve(VIT_TINY, null);
    try (clip4j_load_options options = NativeModel.toNative(ClipOptions.defaults())) {
      options.num_threads(ClipOptions.MAX_THREADS + 1);
      ClipException e =
          assertThrows(
              ClipException.class,
              () -> NativeModel.load(checkpoint.weights(), checkpoint.config(), options));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(
          e.getMessage().contains("num_threads must be at most 1024, got 1025"), e.getMessage());
    }
  }
}
