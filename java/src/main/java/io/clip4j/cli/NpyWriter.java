package io.clip4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Writes NumPy's .npy format (version 1.0), little-endian float32, C order. */
final class NpyWriter {
  private NpyWriter() {}

  static void writeFloat32(Path file, float[] data, int[] shape) throws IOException {
    String dims =
        Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    if (shape.length == 1) {
      dims += ",";
    }
    StringBuilder header =
        new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }");
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64,
    // ending in \n.
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    byte[] headerBytes = header.toString().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buffer =
        ByteBuffer.allocate(10 + headerBytes.length + data.length * 4)
            .order(ByteOrder.LITTLE_ENDIAN);
    buffer
        .put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
        .put((byte) 1)
        .put((byte) 0);
    buffer.putShort((short) headerBytes.length).put(headerBytes);
    buffer.asFloatBuffer().put(data);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(buffer.array());
    }
  }
}
