package io.clip4j.cli;

import io.clip4j.ClipException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code clip4j} command line and its commands (embed, classify, eval, probe, ...). */
@Command(
    name = "clip4j",
    mixinStandardHelpOptions = true,
    // --help and --version on every command and subcommand, not only on clip4j itself.
    scope = CommandLine.ScopeType.INHERIT,
    version = "clip4j 0.1.0",
    description = "CLIP embeddings with a native libtorch runner.",
    subcommands = {
      EmbedCommand.class,
      TokenizeCommand.class,
      PreprocessCommand.class,
      ModelsCommand.class,
      ClassifyCommand.class,
      EvalCommand.class,
      RetrieveCommand.class,
      ProbeCommand.class
    })
public final class Clip4jCli {
  private Clip4jCli() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code: 0 done, 1 failed, 2 bad usage. */
  public static int run(String... args) {
    // JavaCPP's loader warns on stderr that openblas's version differs from javacpp's (harmless):
    // route its log to slf4j, which the CLI binds to nothing.
    if (System.getProperty("org.bytedeco.javacpp.logger") == null) {
      System.setProperty("org.bytedeco.javacpp.logger", "slf4j");
    }
    CommandLine cli = new CommandLine(new Clip4jCli());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          err.println("clip4j: error: " + describe(e));
          err.flush();
          return 1;
        });
    return cli.execute(args);
  }

  private static String describe(Exception e) {
    if (e instanceof ClipException
        || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException) {
      return e.getMessage().replace('\n', ' ');
    }
    if (e instanceof java.io.IOException) {
      return "I/O error: " + e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
