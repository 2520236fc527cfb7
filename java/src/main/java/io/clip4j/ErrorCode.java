package io.clip4j;

/** Why a clip4j call failed; each native status maps to one code. */
public enum ErrorCode {
  /** A caller error: a null, empty or out-of-range argument. */
  INVALID_ARGUMENT(1),
  /** A file could not be found, opened or read. */
  IO_ERROR(2),
  /** The checkpoint is unreadable, or its tensors do not fit the architecture. */
  BAD_CHECKPOINT(3),
  /** A valid request this build, platform or model cannot serve. */
  UNSUPPORTED(4),
  /** Bytes that do not decode to an image, or an image over the pixel limit. */
  BAD_IMAGE(5),
  /** Host or device memory ran out; a smaller batch may succeed. */
  OUT_OF_MEMORY(6),
  /**
   * A CUDA call or the device failed (an illegal memory access, a lost GPU), with CUDA's message.
   * Such failures often persist: later calls on that GPU may fail too, and restarting the process
   * may serve better than retrying.
   */
  DEVICE_ERROR(7),
  /** An unexpected native failure: a bug. */
  INTERNAL(8),
  /**
   * An embedding came out NaN or infinite although the weights and inputs are finite: the
   * activations overflowed the model's precision (float16 stops at 65504). Run the model in bf16 or
   * fp32.
   */
  NUMERIC_OVERFLOW(9);

  private final int status;

  ErrorCode(int status) {
    this.status = status;
  }

  /** The native {@code clip4j_status} value of this code. */
  public int status() {
    return status;
  }

  /** The code for a native {@code clip4j_status}; unknown values map to {@link #INTERNAL}. */
  public static ErrorCode fromStatus(int status) {
    for (ErrorCode code : values()) {
      if (code.status == status) {
        return code;
      }
    }
    return INTERNAL;
  }
}
