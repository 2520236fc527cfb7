package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A malformed clip4j environment variable, or an OpenMP thread count clip4j cannot run, is refused
 * at load with INVALID_ARGUMENT naming the variable and the value, never ignored, read as something
 * else, or left to crash. Java cannot set a variable for itself, so a Surefire execution of its own
 * sets each one (bad-cpu-gemm, bad-cpu-chunk, too-many-omp-threads), and each test skips itself
 * elsewhere.
 */
@Tag("native")
class BadEnvironmentTest {
  /** CLIP4J_CPU_GEMM is read once per process: the refusal must come again at every load. */
  @Test
  void anUnknownCpuGemmIsNamedAtEveryLoad() {
    assumeVariable("CLIP4J_CPU_GEMM", "no-such-kernels", "bad-cpu-gemm");
    for (int load = 0; load < 2; load++) {
      assertLoadRefused("CLIP4J_CPU_GEMM='no-such-kernels'", "packed");
    }
  }

  /** "16MB", as a user might write it, where a whole number of megabytes is meant. */
  @Test
  void anUnparsableCpuChunkBudgetIsNamedAtLoad() {
    assumeVariable("CLIP4J_CPU_CHUNK_MB", "16MB", "bad-cpu-chunk");
    assertLoadRefused(
        "CLIP4J_CPU_CHUNK_MB='16MB' is not a whole number of megabytes from 0 to 999999");
  }

  /**
   * OpenMP's thread count from the environment, over clip4j's limit: libgomp's start of the first
   * parallel region with 16,384 threads overflowed the calling thread's stack (SIGSEGV, no
   * message). A model given its own thread count is not affected.
   */
  @Test
  void anOpenMpThreadCountOverTheLimitIsNamedAtLoad() {
    assumeVariable("OMP_NUM_THREADS", "16384", "too-many-omp-threads");
    assertLoadRefused("libtorch is set to 16384 threads (OMP_NUM_THREADS=16384)", "1024");
  }

  private static void assumeVariable(String name, String value, String execution) {
    assumeTrue(
        value.equals(System.getenv(name)),
        "runs where " + name + "=" + value + " (the " + execution + " execution)");
  }

  private static void assertLoadRefused(String... fragments) {
    ClipException e =
        assertThrows(
            ClipException.class,
            () -> ClipModel.load(Fixtures.path("vit-tiny"), ClipOptions.builder().build()));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
  }
}
