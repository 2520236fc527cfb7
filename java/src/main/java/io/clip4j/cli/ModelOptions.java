package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.ClipOptions;
import io.clip4j.Device;
import io.clip4j.Precision;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that loads a model shares. */
final class ModelOptions {
  @Option(
      names = "--model",
      paramLabel = "PATH",
      description =
          "An open_clip or Hugging Face model folder, OpenAI's .pt file, or a .safetensors/.bin/.pt"
              + " state dict (with --arch). Default: the bundled Fashion-MNIST demo model.")
  Path model;

  /** The --model path, or the bundled demo model's. */
  Path modelPath() {
    return model != null ? model : io.clip4j.DemoModel.path();
  }

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
      description = "CPU threads; 0 lets libtorch choose (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "32",
      description = "Inputs per native call (default: ${DEFAULT-VALUE}).")
  int batch;

  ClipModel load(boolean normalize) {
    ClipOptions options =
        ClipOptions.builder()
            .device(Device.parse(device))
            .precision(Precision.parse(precision))
            .threads(threads)
            .batchSize(batch)
            .normalize(normalize)
            .architecture(architecture)
            .build();
    return ClipModel.load(modelPath(), options);
  }
}
