package io.clip4j;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Damage to a valid file, chosen by the fuzzer's input: the kinds real broken and hostile files
 * show (a truncated download, an overwritten size field, a spliced or missing block), so the fuzzer
 * reaches the code behind the first format check without coverage feedback from native code.
 */
final class FuzzEdits {
  /** Values that break size and offset arithmetic: zero, signs, powers of two, widths' limits. */
  static final long[] INTERESTING = {
    0,
    1,
    -1,
    2,
    3,
    7,
    8,
    16,
    64,
    127,
    128,
    255,
    256,
    0x7fff,
    0x8000,
    0xffff,
    0x10000,
    Integer.MAX_VALUE,
    1L << 31,
    0xffffffffL,
    1L << 32,
    1L << 53,
    Long.MAX_VALUE,
    Long.MIN_VALUE
  };

  private FuzzEdits() {}

  /** An interesting value half of the time, else any long. */
  static long number(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.pickValue(INTERESTING) : data.consumeLong();
  }

  /**
   * Applies one to {@code maxEdits} edits to a copy of {@code original}. Half of the positions fall
   * in its first {@code focus} bytes, where headers and size fields live.
   */
  static byte[] edit(byte[] original, FuzzedDataProvider data, int maxEdits, int focus) {
    byte[] bytes = original.clone();
    int edits = data.consumeInt(1, maxEdits);
    for (int i = 0; i < edits && bytes.length > 0; i++) {
      int limit = data.consumeBoolean() ? Math.min(focus, bytes.length) : bytes.length;
      int at = data.consumeInt(0, limit - 1);
      switch (data.consumeInt(0, 6)) {
        case 0 -> bytes[at] = data.consumeByte();
        case 1 -> bytes[at] ^= (byte) (1 << data.consumeInt(0, 7));
        case 2 -> putNumber(bytes, at, data);
        case 3 -> bytes = Arrays.copyOf(bytes, at);
        case 4 -> bytes = splice(bytes, at, at + data.consumeInt(0, 64), new byte[0]);
        case 5 -> bytes = splice(bytes, at, at, data.consumeBytes(64));
        default -> {
          // A block of the file copied over another place (duplicated segments, shifted chunks).
          int from = data.consumeInt(0, bytes.length - 1);
          int length = Math.min(data.consumeInt(1, 256), bytes.length - Math.max(from, at));
          System.arraycopy(bytes, from, bytes, at, Math.max(length, 0));
        }
      }
    }
    return bytes;
  }

  /** Overwrites 2, 4 or 8 bytes at {@code at} with a number, big- or little-endian. */
  private static void putNumber(byte[] bytes, int at, FuzzedDataProvider data) {
    int width = data.pickValue(new int[] {2, 4, 8});
    ByteOrder order = data.consumeBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    byte[] encoded = ByteBuffer.allocate(8).order(order).putLong(number(data)).array();
    int start = order == ByteOrder.BIG_ENDIAN ? 8 - width : 0;
    System.arraycopy(encoded, start, bytes, at, Math.min(width, bytes.length - at));
  }

  /** {@code bytes} with {@code [from, to)} replaced by {@code insert}. */
  static byte[] splice(byte[] bytes, int from, int to, byte[] insert) {
    int end = Math.min(to, bytes.length);
    byte[] out = new byte[from + insert.length + bytes.length - end];
    System.arraycopy(bytes, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(bytes, end, out, from + insert.length, bytes.length - end);
    return out;
  }
}
