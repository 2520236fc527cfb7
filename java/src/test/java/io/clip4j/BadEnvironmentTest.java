package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A malformed clip4j environment variable is refused at load with INVALID_ARGUMENT naming the
 * variable and the value, never ignored or read as something else. Java cannot set a variable for
 * itself, so a Surefire execution of its own sets each one (bad-cpu-gemm, bad-cpu-chunk), and each
 * test skips itself elsewhere.
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
