package io.clip4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter counts equal open_clip's (sum of p.numel() over model.parameters() and over
 * model.visual.parameters(), open_clip 3.3.0). Image FLOPs equal twice the GMACs of open_clip's
 * published model profile (ViT-B-32 4.41, ViT-L-14 81.08) within 0.2%: the profiler also counts
 * some element-wise work that is left out here.
 */
class ModelComplexityTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "RN50, 102007137, 38316896",
    "RN50x4, 178300601, 87137080",
    "ViT-B-32, 151277313, 87849216",
  })
  void parameterCountsEqualOpenClip(String name, long total, long image) {
    ModelComplexity c =
        ModelComplexity.of(
            OpenClipConfigReader.read(name, OpenClipConfigReader.builtIn(name), null));
    assertEquals(total, c.totalParameters());
    assertEquals(image, c.imageParameters());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ViT-B-32, 4.41", "ViT-L-14, 81.08"})
  void imageFlopsAreTwiceOpenClipsMacs(String name, double gmacs) {
    ModelComplexity c =
        ModelComplexity.of(
            OpenClipConfigReader.read(name, OpenClipConfigReader.builtIn(name), null));
    assertEquals(2 * gmacs, c.imageFlops() / 1e9, 2 * gmacs * 0.002);
  }
}
