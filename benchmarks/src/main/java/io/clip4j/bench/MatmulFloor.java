package io.clip4j.bench;

import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Issue 6's matmul floor: no runtime can embed an image faster than its floating-point operations
 * take at the speed of one large float32 product on the same cores. The open_clip peer measures
 * both in every round (a 1024^3 product in its torch, with the same threads and protocol as the
 * cases, and open_clip's count of one encode_image), so the floor meets the machine's drift like
 * the runtimes do instead of being a figure from another day.
 */
record MatmulFloor(int matmulN, long imageFlop, Histogram matmul) {

  /** This round's products added to the pool of earlier rounds' (the same n and model). */
  MatmulFloor pooledWith(MatmulFloor round) {
    if (round.matmulN != matmulN || round.imageFlop != imageFlop) {
      throw new IllegalStateException("the open_clip peer changed its floor between rounds");
    }
    matmul.add(round.matmul);
    return this;
  }

  Summary summary() {
    double p50Ms = matmul.getValueAtPercentile(50) / 1e6;
    double gflops = 2.0 * matmulN * matmulN * matmulN / (p50Ms * 1e6);
    double imageGflop = imageFlop / 1e9;
    return new Summary(
        matmulN, matmul.getTotalCount(), p50Ms, gflops, imageGflop, imageGflop / gflops * 1e3);
  }

  /** What the report records: the product's p50 and speed, and the floor per image. */
  record Summary(
      int matmulN,
      long matmulCalls,
      double matmulP50Ms,
      double matmulGflops,
      double imageGflop,
      double floorMsPerImage) {

    String describe(Map<String, String> openClipVersions) {
      return String.format(
          Locale.ROOT,
          "- a %1$dx%1$d by %1$dx%1$d float32 product in open_clip's torch %2$s, %8$s threads: p50 %3$.2f ms over"
              + " %4$d calls, %5$.0f GFLOP/s%n"
              + "- one image through open_clip's encode_image: %6$.2f GFLOP"
              + " (torch.utils.flop_counter), so at best %7$.1f ms per image%n",
          matmulN,
          openClipVersions.get("torch"),
          matmulP50Ms,
          matmulCalls,
          matmulGflops,
          imageGflop,
          floorMsPerImage,
          openClipVersions.get("intra_op_threads"));
    }
  }
}
