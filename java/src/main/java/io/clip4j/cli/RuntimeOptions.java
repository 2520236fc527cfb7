package io.clip4j.cli;

import io.clip4j.ClipOptions;
import io.clip4j.Device;
import io.clip4j.Precision;
import picocli.CommandLine.Option;

/** How a model is loaded and run: --arch, --device, --precision, --threads, --batch. */
final class RuntimeOptions {
  @Option(
      names = "--arch",
      paramLabel = "NAME",
      description =
          "open_clip architecture of a bare weights file (ViT-B-32, ViT-L-14, ...) or a config JSON file.")
  String architecture;

  @Option(
      names = "--device",
      paramLabel = "cpu|cuda[:N]",
      defaultValue = "cpu",
      description = "Where to run (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--precision",
      paramLabel = "fp32|fp16|bf16",
      defaultValue = "fp32",
      description = "Weights and activations (default: ${DEFAULT-VALUE}).")
  String precision;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "CPU threads, at most 1024; 0 lets libtorch choose (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "32",
      description = "Inputs per native call (default: ${DEFAULT-VALUE}).")
  int batch;

  ClipOptions options(boolean normalize) {
    return ClipOptions.builder()
        .device(Device.parse(device))
        .precision(Precision.parse(precision))
        .threads(threads)
        .batchSize(batch)
        .normalize(normalize)
        .architecture(architecture)
        .build();
  }
}
