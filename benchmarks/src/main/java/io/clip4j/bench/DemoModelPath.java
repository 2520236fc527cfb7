package io.clip4j.bench;

import io.clip4j.DemoModel;

/** Prints where the bundled demo model is unpacked: the harness's model when Python is absent. */
public final class DemoModelPath {
  private DemoModelPath() {}

  public static void main(String[] args) {
    System.out.println(DemoModel.path());
  }
}
