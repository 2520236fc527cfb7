package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.DemoModel;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every command that loads one model shares: --model and the runtime options. */
final class ModelOptions {
  @Option(
      names = "--model",
      paramLabel = "PATH",
      description =
          "An open_clip or Hugging Face model folder, OpenAI's .pt file, or a .safetensors/.bin/.pt"
              + " state dict (with --arch). Default: the bundled Fashion-MNIST demo model.")
  Path model;

  @Mixin RuntimeOptions runtime;

  /** The --model path, or the bundled demo model's. */
  Path modelPath() {
    return model != null ? model : DemoModel.path();
  }

  String architecture() {
    return runtime.architecture;
  }

  int batch() {
    return runtime.batch;
  }

  ClipModel load(boolean normalize) {
    return ClipModel.load(modelPath(), runtime.options(normalize));
  }
}
