package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An unknown CLIP4J_CPU_GEMM value is refused at every load with INVALID_ARGUMENT naming the value
 * and the choices, never ignored. The variable is read once per process, so this runs in a JVM of
 * its own (the bad-cpu-gemm Surefire execution sets it) and skips itself elsewhere.
 */
@Tag("native")
class CpuGemmChoiceTest {
  private static final String BAD_CHOICE = "no-such-kernels";

  @Test
  void anUnknownChoiceIsNamedAtEveryLoad() {
    assumeTrue(
        BAD_CHOICE.equals(System.getenv("CLIP4J_CPU_GEMM")),
        "runs where CLIP4J_CPU_GEMM=" + BAD_CHOICE + " (the bad-cpu-gemm execution)");
    for (int load = 0; load < 2; load++) {
      ClipException e =
          assertThrows(
              ClipException.class,
              () -> ClipModel.load(Fixtures.path("vit-tiny"), ClipOptions.builder().build()));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(
          e.getMessage().contains("CLIP4J_CPU_GEMM='" + BAD_CHOICE + "'")
              && e.getMessage().contains("packed"),
          e.getMessage());
    }
  }
}
