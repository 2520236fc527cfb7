package io.clip4j;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Edits to a pickle (torch.save's data.pkl) at opcode boundaries: a number or string argument
 * replaced, an opcode dropped, repeated or inserted, a global renamed. Tensor sizes, strides,
 * offsets and storage keys are such arguments, so the edited pickle still reaches the tensor
 * rebuilding and state-dict checks behind the opcode parser.
 */
final class PickleEdits {
  /** Globals a pickle may name, allowed or not. */
  private static final String[] GLOBALS = {
    "collections\nOrderedDict\n",
    "torch._utils\n_rebuild_tensor_v2\n",
    "torch._utils\n_rebuild_parameter\n",
    "torch\nFloatStorage\n",
    "torch\nHalfStorage\n",
    "torch\nLongStorage\n",
    "torch\nBoolStorage\n",
    "torch.jit._pickle\nrestore_type_tag\n",
    "__torch__\nModule\n",
    "builtins\neval\n",
    "os\nsystem\n"
  };

  /**
   * The opcodes without an argument: containers, stack, memo and call operations, STOP. Any of them
   * may be inserted on its own.
   */
  private static final String NO_ARGUMENT =
      "(}])NtaesuRbQ.\u0081\u0085\u0086\u0087\u0088\u0089\u008f\u0090\u0093\u0094";

  private PickleEdits() {}

  /** One opcode with its argument: {@code [start, end)}. */
  private record Op(int start, int end, int code) {}

  static byte[] edit(byte[] pickle, FuzzedDataProvider data) {
    List<Op> ops = scan(pickle);
    if (ops.isEmpty()) {
      return pickle;
    }
    Op op = data.pickValue(ops);
    byte[] replacement =
        switch (data.consumeInt(0, 4)) {
          case 0 -> number(op, data);
          case 1 -> string(op, data);
          case 2 -> new byte[0]; // dropped
          case 3 -> concat(slice(pickle, op.start, op.end), slice(pickle, op.start, op.end));
          default -> {
            byte lone = (byte) NO_ARGUMENT.charAt(data.consumeInt(0, NO_ARGUMENT.length() - 1));
            yield concat(new byte[] {lone}, slice(pickle, op.start, op.end));
          }
        };
    return FuzzEdits.splice(pickle, op.start, op.end, replacement);
  }

  /** An integer opcode with a new value (BININT for 32 bits, LONG1 for 64); others unchanged. */
  private static byte[] number(Op op, FuzzedDataProvider data) {
    if (op.code != 'K' && op.code != 'M' && op.code != 'J' && op.code != 0x8a) {
      return new byte[] {(byte) op.code};
    }
    long value = FuzzEdits.number(data);
    if (value == (int) value) {
      return ByteBuffer.allocate(5)
          .order(ByteOrder.LITTLE_ENDIAN)
          .put((byte) 'J')
          .putInt((int) value)
          .array();
    }
    return ByteBuffer.allocate(10)
        .order(ByteOrder.LITTLE_ENDIAN)
        .put((byte) 0x8a)
        .put((byte) 8)
        .putLong(value)
        .array();
  }

  /** A string opcode with new text, or a global with another name; others unchanged. */
  private static byte[] string(Op op, FuzzedDataProvider data) {
    if (op.code == 'c') {
      return concat(new byte[] {'c'}, data.pickValue(GLOBALS).getBytes(StandardCharsets.US_ASCII));
    }
    byte[] text = data.consumeString(40).getBytes(StandardCharsets.UTF_8);
    return concat(
        ByteBuffer.allocate(5)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put((byte) 'X')
            .putInt(text.length)
            .array(),
        text);
  }

  /** The opcodes of {@code pickle} up to STOP or the first opcode not known here. */
  static List<Op> scan(byte[] pickle) {
    List<Op> ops = new ArrayList<>();
    int at = 0;
    while (at < pickle.length) {
      int code = pickle[at] & 0xff;
      int argument = at + 1;
      long end = argument + argumentLength(pickle, code, argument);
      if (end < argument || end > pickle.length) {
        break;
      }
      ops.add(new Op(at, (int) end, code));
      if (code == '.') {
        break;
      }
      at = (int) end;
    }
    return ops;
  }

  /** The argument's length in bytes, or -1 for an opcode not known here. */
  private static long argumentLength(byte[] p, int code, int at) {
    return switch (code) {
      case 0x80, 'q', 'h', 'K' -> 1;
      case 'M' -> 2;
      case 'r', 'j', 'J' -> 4;
      case 'G', 0x95 -> 8;
      case 'X', 'T', 'B' -> at + 4 <= p.length ? 4 + (u32(p, at) & 0xffffffffL) : -1;
      case 0x8c, 'U', 'C', 0x8a -> at < p.length ? 1 + (p[at] & 0xff) : -1;
      case 'c' -> lines(p, at, 2);
      default -> NO_ARGUMENT.indexOf(code) >= 0 ? 0 : -1;
    };
  }

  private static long lines(byte[] p, int at, int count) {
    int end = at;
    for (int found = 0; found < count; end++) {
      if (end >= p.length) {
        return -1;
      }
      if (p[end] == '\n') {
        found++;
      }
    }
    return end - at;
  }

  private static int u32(byte[] p, int at) {
    return ByteBuffer.wrap(p, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  private static byte[] slice(byte[] bytes, int from, int to) {
    return java.util.Arrays.copyOfRange(bytes, from, to);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
