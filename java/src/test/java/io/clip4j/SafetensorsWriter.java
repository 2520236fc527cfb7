package io.clip4j;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and writes safetensors files, so tests can build damaged or altered checkpoints. */
final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsWriter() {}

  record Tensor(String dtype, long[] shape, byte[] data) {}

  static Map<String, Tensor> read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    ObjectNode header =
        (ObjectNode)
            JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    Map<String, Tensor> out = new LinkedHashMap<>();
    int base = 8 + (int) headerLength;
    header
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getKey().equals("__metadata__")) {
                return;
              }
              long[] shape = new long[e.getValue().get("shape").size()];
              for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
              }
              int begin = e.getValue().get("data_offsets").get(0).asInt();
              int end = e.getValue().get("data_offsets").get(1).asInt();
              byte[] data = new byte[end - begin];
              System.arraycopy(bytes, base + begin, data, 0, data.length);
              out.put(e.getKey(), new Tensor(e.getValue().get("dtype").asText(), shape, data));
            });
    return out;
  }

  static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", e.getValue().dtype());
      var shape = entry.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      var offsets = entry.putArray("data_offsets");
      offsets.add(data.size());
      data.write(e.getValue().data());
      offsets.add(data.size());
    }
    writeRaw(file, JSON.writeValueAsString(header), data.toByteArray());
  }

  /** A file with exactly this header text and data, however wrong they are. */
  static void writeRaw(Path file, String header, byte[] data) throws IOException {
    byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer length =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(length.array());
    out.write(headerBytes);
    out.write(data);
    Files.write(file, out.toByteArray());
  }
}
