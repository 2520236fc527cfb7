package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Resident memory over many calls: images, texts, lists, and bad inputs that fail in native code,
 * one after another; VmRSS (from /proc/self/status) must stay within a bound once warmed up. On
 * demand only ({@code scripts/soak memory}): tagged {@code soak}, which {@code mvn verify} leaves
 * out. Run with a fixed, pre-touched heap (the script does) so the Java heap's growth does not
 * count.
 *
 * <p>Properties: {@code clip4j.soak.calls} (default 100,000), {@code clip4j.soak.sampleEvery}
 * (1,000), {@code clip4j.soak.warmupCalls} (a tenth of the calls), {@code clip4j.soak.boundMiB}
 * (32: the most RSS may grow from the end of warm-up to the end).
 */
@Tag("soak")
@Tag("native")
class MemorySoakTest {
  private static final Path STATUS = Path.of("/proc/self/status");

  @Test
  void residentMemoryStaysFlatAfterWarmUp() throws IOException {
    long calls = Long.getLong("clip4j.soak.calls", 100_000);
    long sampleEvery = Long.getLong("clip4j.soak.sampleEvery", 1_000);
    long warmup = Long.getLong("clip4j.soak.warmupCalls", calls / 10);
    long boundKiB = Long.getLong("clip4j.soak.boundMiB", 32) * 1024;
    List<byte[]> images = new ArrayList<>();
    for (String name : ReferenceCalls.IMAGES) {
      images.add(Files.readAllBytes(Fixtures.IMAGES.resolve(name)));
    }
    // Each fails in its decoder, part-way through: the error paths that could leak.
    byte[] jpeg = images.get(0);
    byte[] png = images.get(1);
    byte[] webp = images.get(3);
    byte[] tiff = Files.readAllBytes(Fixtures.IMAGES.resolve("coffee_small.tiff"));
    List<byte[]> bad =
        List.of(
            "not an image at all".getBytes(),
            Arrays.copyOf(jpeg, jpeg.length / 3),
            Arrays.copyOf(png, png.length / 2),
            corrupted(png),
            Arrays.copyOf(webp, webp.length / 2),
            Arrays.copyOf(tiff, tiff.length / 2));
    List<Long> at = new ArrayList<>();
    List<Long> rss = new ArrayList<>();
    long failures = 0;
    try (ClipModel model = ClipModel.load(Fixtures.path("vit-tiny"))) {
      long start = residentKiB();
      long warm = -1;
      for (long i = 0; i < calls; i++) {
        int k = (int) (i % 10);
        if (k <= 3) {
          model.embedImage(images.get((int) (i / 10 % images.size())));
        } else if (k <= 6) {
          model.embedText(ReferenceCalls.TEXTS.get((int) (i % ReferenceCalls.TEXTS.size())) + i);
        } else if (k == 7) {
          model.embedTexts(List.of("a photo of a cat", "a photo number " + i));
        } else {
          byte[] input = bad.get((int) (i / 10 % bad.size()));
          // One bad image alone, or last in a list after a good one.
          List<byte[]> list = k == 8 ? List.of(input) : List.of(images.get(2), input);
          assertThrows(ClipException.class, () -> model.embedEncodedImages(list));
          failures++;
        }
        if ((i + 1) % sampleEvery == 0) {
          at.add(i + 1);
          rss.add(residentKiB());
          if ((i + 1) % Math.max(1, calls / 10) < sampleEvery) {
            System.out.printf("memory soak: %d calls, VmRSS %d MiB%n", i + 1, residentKiB() / 1024);
          }
          if (warm < 0 && i + 1 >= warmup) {
            warm = rss.get(rss.size() - 1);
          }
        }
      }
      long end = residentKiB();
      warm = warm < 0 ? end : warm;
      double slope = slopeKiBPerThousandCalls(at, rss, warmup);
      long peak = rss.stream().mapToLong(Long::longValue).max().orElse(end);
      System.out.printf(
          "memory soak: %d calls (%d failing in native code), VmRSS start %d MiB, after %d"
              + " warm-up calls %d MiB, end %d MiB, peak %d MiB; growth after warm-up %d KiB"
              + " (bound %d KiB), slope %.1f KiB per 1,000 calls; Java heap committed %d MiB%n",
          calls,
          failures,
          start / 1024,
          warmup,
          warm / 1024,
          end / 1024,
          peak / 1024,
          end - warm,
          boundKiB,
          slope,
          Runtime.getRuntime().totalMemory() >> 20);
      System.out.println("memory soak samples (calls, VmRSS KiB): " + samples(at, rss));
      assertTrue(
          end - warm <= boundKiB,
          "VmRSS grew by " + (end - warm) + " KiB after warm-up, over the bound of " + boundKiB);
    }
  }

  /** The file with 2,000 bytes in its middle overwritten (a PNG's data then fails its check). */
  private static byte[] corrupted(byte[] file) {
    byte[] out = file.clone();
    Arrays.fill(out, out.length / 2, out.length / 2 + 2000, (byte) 0x55);
    return out;
  }

  private static long residentKiB() throws IOException {
    for (String line : Files.readAllLines(STATUS)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in " + STATUS);
  }

  /** The least-squares slope of RSS over the samples after warm-up. */
  private static double slopeKiBPerThousandCalls(List<Long> at, List<Long> rss, long warmup) {
    double n = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < at.size(); i++) {
      if (at.get(i) < warmup) {
        continue;
      }
      double x = at.get(i) / 1000.0;
      double y = rss.get(i);
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double denominator = n * sxx - sx * sx;
    return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
  }

  private static String samples(List<Long> at, List<Long> rss) {
    StringBuilder out = new StringBuilder();
    int step = Math.max(1, at.size() / 20);
    for (int i = 0; i < at.size(); i += step) {
      out.append(i == 0 ? "" : ", ").append(at.get(i)).append(' ').append(rss.get(i));
    }
    return out.toString();
  }
}
