package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A CLIP4J_CPU_CHUNK_MB that is not a whole number of megabytes (here "16MB", as a user might write
 * it) is refused at load with INVALID_ARGUMENT naming the variable and the value, never read as
 * some other budget. Java cannot set the variable for itself, so the bad-cpu-chunk Surefire
 * execution sets it and this skips itself elsewhere.
 */
@Tag("native")
class CpuChunkBudgetTest {
  private static final String BAD_BUDGET = "16MB";

  @Test
  void anUnparsableBudgetIsNamedAtLoad() {
    assumeTrue(
        BAD_BUDGET.equals(System.getenv("CLIP4J_CPU_CHUNK_MB")),
        "runs where CLIP4J_CPU_CHUNK_MB=" + BAD_BUDGET + " (the bad-cpu-chunk execution)");
    ClipException e =
        assertThrows(
            ClipException.class,
            () -> ClipModel.load(Fixtures.path("vit-tiny"), ClipOptions.builder().build()));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(
        e.getMessage()
            .contains(
                "CLIP4J_CPU_CHUNK_MB='16MB' is not a whole number of megabytes from 0 to 999999"),
        e.getMessage());
  }
}
