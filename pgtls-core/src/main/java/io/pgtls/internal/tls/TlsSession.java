package io.pgtls.internal.tls;

import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link SSLEngine} without doing any I/O (the shape of Elasticsearch's SSLDriver): the
 * caller hands in network bytes and plaintext buffers, and the session reports what it needs next
 * as a {@link Status}. The engine's own handshake status, asked fresh on every pass, is the source
 * of truth (tls-channel's habit); {@link Mode} records where the session is in its life.
 *
 * <p>Buffers: {@code netIn} and {@code plainIn} are in read mode; {@code netOut} and {@code
 * plainOut} in write mode.
 */
public final class TlsSession {
  private static final Logger log = LoggerFactory.getLogger(TlsSession.class);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
  /** Network input for a pass where the engine has work of its own and no bytes are buffered. */
  public static final ByteBuffer NO_INPUT = EMPTY;

  /** Where the session is in its life. */
  public enum Mode {
    /** Initial handshake in progress. */
    HANDSHAKE,
    /** Handshake finished; application data flows (post-handshake messages may still come). */
    APPLICATION,
    /** Both close_notify alerts are done, or the session failed. */
    CLOSED
  }

  /** Why a call returned. */
  public enum Status {
    /** Everything given was processed. */
    OK,
    /** More network input is needed (buffer underflow, or no input left). */
    NEED_INPUT,
    /** {@code netOut} is full: flush it to the socket and call again. */
    NEED_FLUSH,
    /** {@code plainOut} is full: drain it and call again. */
    NEED_PLAIN_SPACE,
    /** Delegated tasks must run ({@link #delegatedTasks()}) before the engine can go on. */
    NEED_TASK,
    /** The peer's close_notify has been received: no more plaintext will come. */
    INBOUND_CLOSED,
    /** Our outbound side is closed (close_notify sent or being sent): nothing more can be sent. */
    OUTBOUND_CLOSED
  }

  /** Whether the engine is still ours to use, or has been given back to its maker. */
  private enum Hold {
    HELD,
    RELEASED
  }

  private final SSLEngine engine;
  private final Runnable release;
  private Mode mode = Mode.HANDSHAKE;
  private Hold hold = Hold.HELD;
  private boolean begun;

  /** A session over an engine that holds nothing outside the heap (the JDK's). */
  public TlsSession(SSLEngine engine) {
    this(engine, () -> { });
  }

  /**
   * A session over {@code engine}; {@code release} gives the engine back to its maker (frees its
   * native state) and runs once, at {@link #release()}.
   */
  public TlsSession(SSLEngine engine, Runnable release) {
    this.engine = engine;
    this.release = release;
  }

  /**
   * The connection is over: the engine is released and must not be used again. Idempotent; call
   * it whatever state the handshake reached.
   */
  public void release() {
    if (hold == Hold.HELD) {
      hold = Hold.RELEASED;
      mode = Mode.CLOSED;
      release.run();
    }
  }

  /** For tests in this package that must poke the engine itself (a client asking to renegotiate). */
  SSLEngine engine() {
    return engine;
  }

  /**
   * Whether the engine has work of its own before it can take more input or give more output: a
   * handshake message to wrap, a task, or an unwrap that needs no new network bytes.
   */
  public boolean isHandshaking() {
    return engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING;
  }

  /**
   * Whether the engine works best on direct buffers (see BufferPool): a native engine (BoringSSL,
   * Conscrypt) does, and copies heap buffers through direct ones of its own; the JDK's engine
   * (SunJSSE, sun.security.ssl) copies direct buffers into arrays for its cipher instead.
   */
  public boolean prefersDirectBuffers() {
    return !engine.getClass().getName().startsWith("sun.security.ssl.");
  }

  /** The negotiated protocol version, such as "TLSv1.3". */
  public String protocol() {
    return engine.getSession().getProtocol();
  }

  public String cipherSuite() {
    return engine.getSession().getCipherSuite();
  }

  /** The subject DN of the peer's certificate in RFC 2253 form, or "" when it sent none. */
  public String peerSubject() {
    return Certificates.peerSubject(engine.getSession());
  }

  /** The peer's verified certificate chain, leaf first; empty when it sent none. */
  public X509Certificate[] peerCertificateChain() {
    return Certificates.peerChain(engine.getSession());
  }

  /** The peer's verified leaf certificate, or null when it sent none (or the handshake is not done). */
  public X509Certificate peerCertificate() {
    return Certificates.peerLeaf(engine.getSession());
  }

  /**
   * Whether the certificate this (server-mode) session presented has the same RFC 5929
   * tls-server-end-point binding as the one {@code backend} (a client-mode session) was shown:
   * only then can SCRAM-SHA-256-PLUS pass through pgtls.
   */
  public boolean presentsSameEndPointAs(TlsSession backend) {
    return Certificates.sameEndPoint(engine.getSession(), backend.engine.getSession());
  }

  public Mode mode() {
    return mode;
  }

  public boolean handshakeComplete() {
    return mode != Mode.HANDSHAKE;
  }

  public boolean isInboundDone() {
    return engine.isInboundDone();
  }

  public boolean isOutboundDone() {
    return engine.isOutboundDone();
  }

  /** Starts the handshake; a client engine then wants to wrap its ClientHello. */
  public void begin() throws SSLException {
    if (!begun) {
      begun = true;
      engine.beginHandshake();
    }
  }

  /**
   * Processes network input: unwraps records from {@code netIn} into {@code plainOut}, and wraps
   * whatever the engine needs to send (handshake messages, session tickets, KeyUpdate answers, a
   * TLS 1.2 close_notify reply) into {@code netOut}. Keeps going while progress is possible, so
   * application data that arrived in the same read as the last handshake record is decrypted at
   * once instead of waiting for a read event that may never come.
   */
  public Status receive(ByteBuffer netIn, ByteBuffer plainOut, ByteBuffer netOut) throws SSLException {
    while (true) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      if (mode == Mode.HANDSHAKE && begun && hs == HandshakeStatus.NOT_HANDSHAKING) {
        // Some JDK paths end the handshake with NEED_WRAP (a TLS 1.3 server's NewSessionTicket)
        // rather than a FINISHED result; NOT_HANDSHAKING after begin() means it is done.
        enterApplication();
      }
      switch (hs) {
        case NEED_TASK:
          return Status.NEED_TASK;
        case NEED_WRAP: {
          Status s = wrapNonApplication(netOut);
          if (s != Status.OK) {
            return s;
          }
          break;
        }
        case NEED_UNWRAP_AGAIN:
          // Only DTLS engines report this (JDK 9+). A TLS engine reporting it is a JDK bug we must
          // not paper over with a silent default branch.
          throw new IllegalStateException("SSLEngine reported NEED_UNWRAP_AGAIN, which only DTLS uses");
        case NEED_UNWRAP:
        case NOT_HANDSHAKING:
        case FINISHED:
        default: {
          if (engine.isInboundDone()) {
            return inboundClosed();
          }
          // netty-tcnative quirk (ReferenceCountedOpenSslEngine): after its delegated task, and
          // after a server has unwrapped the client's Finished, the engine says NEED_UNWRAP and
          // moves on only when unwrap is called with an empty buffer (Netty's SslHandler loops
          // until nothing is consumed or produced). So while handshaking, an empty input is still
          // offered once; the JDK's engine answers BUFFER_UNDERFLOW, and an engine that makes no
          // progress on it ends the pass below (OK, nothing consumed or produced).
          if (!netIn.hasRemaining() && hs != HandshakeStatus.NEED_UNWRAP) {
            return Status.NEED_INPUT;
          }
          SSLEngineResult r = engine.unwrap(netIn, plainOut);
          trace("unwrap", r);
          noteFinished(r);
          switch (r.getStatus()) {
            case BUFFER_UNDERFLOW:
              return Status.NEED_INPUT;
            case BUFFER_OVERFLOW:
              if (plainOut.position() == 0) {
                throw new SSLException("TLS record larger than the " + plainOut.capacity()
                    + "-byte buffer (session wants " + engine.getSession().getApplicationBufferSize() + ")");
              }
              return Status.NEED_PLAIN_SPACE;
            case CLOSED:
              // TLS 1.2 answers close_notify with its own (duplex close): the engine now wants
              // NEED_WRAP, served on the next pass. TLS 1.3 is half-close (JDK-8207009): the JDK's
              // engine does not answer unless jdk.tls.acknowledgeCloseNotify is set. netty-tcnative
              // closes both directions whatever the version (closeAll on SSL_RECEIVED_SHUTDOWN):
              // it wants NEED_WRAP for its own close_notify, and sends nothing after it, so what
              // the other leg still has for this peer is dropped (as for a TLS 1.2 peer).
              if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                Status s = wrapNonApplication(netOut);
                if (s == Status.NEED_FLUSH || s == Status.NEED_TASK) {
                  return s;
                }
              }
              return inboundClosed();
            case OK:
              refuseRenegotiation(r);
              if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && !netIn.hasRemaining()
                  && (r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP
                      || engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP)) {
                return Status.NEED_INPUT;
              }
              break;
            default:
              throw new IllegalStateException("unexpected unwrap status " + r.getStatus());
          }
          break;
        }
      }
    }
  }

  /**
   * Encrypts {@code plainIn} into {@code netOut}. Returns OK once all of it is consumed (and any
   * post-handshake message the engine asked for, such as a KeyUpdate, has been wrapped too).
   */
  public Status send(ByteBuffer plainIn, ByteBuffer netOut) throws SSLException {
    while (true) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      if (hs == HandshakeStatus.NEED_TASK) {
        return Status.NEED_TASK;
      }
      if (engine.isOutboundDone()) {
        return Status.OUTBOUND_CLOSED;
      }
      if (!plainIn.hasRemaining()) {
        if (hs == HandshakeStatus.NEED_WRAP) {
          Status s = wrapNonApplication(netOut);
          if (s != Status.OK) {
            return s;
          }
          continue;
        }
        return Status.OK;
      }
      SSLEngineResult r = engine.wrap(plainIn, netOut);
      trace("wrap", r);
      noteFinished(r);
      switch (r.getStatus()) {
        case BUFFER_OVERFLOW:
          if (netOut.position() == 0) {
            throw new SSLException("TLS packet larger than the " + netOut.capacity() + "-byte buffer");
          }
          return Status.NEED_FLUSH;
        case CLOSED:
          return Status.OUTBOUND_CLOSED;
        case OK:
          if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
            // A handshake (renegotiation is refused, so a post-handshake exchange) is waiting for
            // the peer: the engine will not take application data until it has unwrapped more.
            return hs == HandshakeStatus.NEED_UNWRAP ? Status.NEED_INPUT : Status.OK;
          }
          break;
        default:
          throw new IllegalStateException("unexpected wrap status " + r.getStatus());
      }
    }
  }

  /**
   * Queues our close_notify and wraps it into {@code netOut}. Returns OK once it is fully wrapped,
   * NEED_FLUSH if {@code netOut} must be flushed first (call again after).
   */
  public Status close(ByteBuffer netOut) throws SSLException {
    engine.closeOutbound();
    while (!engine.isOutboundDone()) {
      SSLEngineResult r = engine.wrap(EMPTY, netOut);
      trace("wrap(close)", r);
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        return Status.NEED_FLUSH;
      }
      if (r.bytesProduced() == 0 && r.getStatus() != SSLEngineResult.Status.CLOSED) {
        break; // nothing more will come out; do not spin
      }
    }
    if (engine.isInboundDone()) {
      mode = Mode.CLOSED;
    }
    return Status.OK;
  }

  /**
   * Wraps whatever alert the engine has pending after a failed handshake (for example "certificate
   * required"), so the peer learns why; errors doing so are ignored.
   */
  public void wrapFailureAlert(ByteBuffer netOut) {
    try {
      engine.closeOutbound();
      for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        if (r.bytesProduced() == 0) {
          break;
        }
      }
    } catch (Exception e) {
      log.trace("no alert to send after failure", e);
    }
    mode = Mode.CLOSED;
  }

  /**
   * The peer closed TCP without close_notify. {@code closeInbound()} then throws "closing inbound
   * before receiving peer's close_notify" (the truncation check); killed clients and backends do
   * this all the time, so it is expected, not an error.
   */
  public void inputEndedWithoutCloseNotify() {
    try {
      engine.closeInbound();
    } catch (SSLException expected) {
      log.trace("truncation check: {}", expected.getMessage());
    }
  }

  /** Runs the engine's delegated tasks; call off the selector loop, then call receive/send again. */
  public Runnable delegatedTasks() {
    return () -> {
      Runnable task;
      while ((task = engine.getDelegatedTask()) != null) {
        task.run();
      }
    };
  }

  /** The negotiated ALPN protocol: "" when none was negotiated, null before the handshake. */
  public String applicationProtocol() {
    String protocol = engine.getApplicationProtocol();
    // netty-tcnative quirk: its engine returns null, not "", after a handshake without ALPN.
    return protocol == null && handshakeComplete() ? "" : protocol;
  }

  /**
   * PostgreSQL disables TLS 1.2 renegotiation, and so does pgtls: a handshake that starts again
   * after the first one is refused. The JDK has no per-engine switch for it (only the JVM-wide
   * jdk.tls.rejectClientInitiatedRenegotiation), so the session watches for it. TLS 1.3 has no
   * renegotiation; its post-handshake messages (tickets, KeyUpdate) are not handshakes.
   */
  private void refuseRenegotiation(SSLEngineResult r) throws SSLException {
    if (mode == Mode.APPLICATION && r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
        && r.getHandshakeStatus() != HandshakeStatus.FINISHED
        && "TLSv1.2".equals(engine.getSession().getProtocol())) {
      throw new SSLException("TLS renegotiation is not allowed");
    }
  }

  private Status inboundClosed() {
    if (engine.isOutboundDone()) {
      mode = Mode.CLOSED;
    }
    return Status.INBOUND_CLOSED;
  }

  private Status wrapNonApplication(ByteBuffer netOut) throws SSLException {
    SSLEngineResult r = engine.wrap(EMPTY, netOut);
    trace("wrap", r);
    noteFinished(r);
    switch (r.getStatus()) {
      case BUFFER_OVERFLOW:
        return Status.NEED_FLUSH;
      case CLOSED:
        // Our close_notify (or the reply to the peer's) went out; nothing more will.
        if (engine.isInboundDone()) {
          mode = Mode.CLOSED;
        }
        return r.bytesProduced() > 0 ? Status.OK : Status.OUTBOUND_CLOSED;
      case OK:
        return Status.OK;
      default:
        throw new IllegalStateException("unexpected wrap status " + r.getStatus());
    }
  }

  private void noteFinished(SSLEngineResult r) {
    // FINISHED is reported once, by the wrap or unwrap that completed the handshake; never by
    // getHandshakeStatus(). Reaching it again (TLS 1.3 post-handshake messages) is harmless.
    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && mode == Mode.HANDSHAKE) {
      enterApplication();
    }
  }

  /**
   * The handshake is done. A listener's TLS 1.2 session leaves the session-ID cache here, so no
   * client can resume it: PostgreSQL keeps no session cache either (TLS 1.3 sessions never enter
   * it, since the listener issues no tickets; see TlsContexts).
   */
  private void enterApplication() {
    mode = Mode.APPLICATION;
    if (!engine.getUseClientMode() && "TLSv1.2".equals(engine.getSession().getProtocol())) {
      engine.getSession().invalidate();
    }
  }

  private static void trace(String op, SSLEngineResult r) {
    if (log.isTraceEnabled()) {
      // SSLEngineResult.toString() spans several lines; keep the log to one.
      log.trace("{}: {} {} consumed={} produced={}", op, r.getStatus(), r.getHandshakeStatus(), r.bytesConsumed(),
          r.bytesProduced());
    }
  }

  @Override
  public String toString() {
    if (hold == Hold.RELEASED) {
      return "Tls{released}";
    }
    return "Tls{" + mode + " hs=" + engine.getHandshakeStatus() + (engine.isInboundDone() ? " in-done" : "")
        + (engine.isOutboundDone() ? " out-done" : "") + "}";
  }
}
