package io.pgtls.internal.proxy;

/**
 * Thrown inside the parser when the bytes cannot be an acceptable header; {@link ProxyHeader#peek}
 * turns it into an INVALID verdict with this message as the reason. Carries no stack trace: it is
 * an answer about bytes, not a fault.
 */
final class MalformedHeader extends Exception {
  private static final long serialVersionUID = 1L;

  MalformedHeader(String reason) {
    super(reason, null, false, false);
  }
}
