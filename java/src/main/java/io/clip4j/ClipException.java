package io.clip4j;

/**
 * Every failure of a clip4j call that is not a programming error on the caller's side of a closed
 * model: bad files, bad images, native failures. Carries an {@link ErrorCode} and the native
 * message.
 */
public class ClipException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public ClipException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ClipException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  @Override
  public String getMessage() {
    return code + ": " + super.getMessage();
  }
}
