package io.clip4j.internal.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * Tells JavaCPP's parser to bind the one facade header, {@code native/include/clip4j.h}, as the
 * generated class {@code io.clip4j.internal.ClipFacade}. Nothing else of the native side is bound.
 */
@Properties(
    target = "io.clip4j.internal.ClipFacade",
    value = @Platform(include = "clip4j.h", link = "clip4j"))
public class ClipFacadeConfig implements InfoMapper {
  @Override
  public void map(InfoMap infoMap) {
    // Plain C header: every type and function maps as it is.
  }
}
