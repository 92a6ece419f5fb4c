package io.pgtls.e2e;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

/**
 * A JDK client SSLEngine over a plain socket, pumped by hand, so that a test can take the engine's
 * ClientHello, deliver it to pgtls however it likes (byte by byte, re-framed, behind other
 * records) and then let the same engine finish the handshake and speak PostgreSQL.
 */
final class EngineConnection implements AutoCloseable {
  private final Socket socket;
  private final SSLEngine engine;
  private final InputStream socketIn;
  private final OutputStream socketOut;
  private final ByteBuffer netIn;
  private final ByteBuffer appIn;
  private final DataInputStream in;

  /** Connects to {@code port}, sends SSLRequest and reads the 'S'. */
  EngineConnection(SSLContext ctx, int port, String serverName, String... alpn) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(15_000);
    socket.setTcpNoDelay(true);
    socketIn = socket.getInputStream();
    socketOut = socket.getOutputStream();
    socketOut.write(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
    int answer = socketIn.read();
    if (answer != 'S') {
      throw new IOException("expected S to the SSLRequest, got " + answer);
    }
    engine = ctx.createSSLEngine(serverName, port);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    p.setServerNames(List.of(new SNIHostName(serverName)));
    p.setEndpointIdentificationAlgorithm("HTTPS");
    p.setApplicationProtocols(alpn);
    engine.setSSLParameters(p);
    netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
    appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2).flip();
    in = new DataInputStream(new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0; // InputStream.readNBytes asks for 0 bytes once it has all it wanted
        }
        while (!appIn.hasRemaining()) {
          appIn.clear();
          SSLEngineResult r = unwrap(appIn);
          appIn.flip();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            return -1;
          }
        }
        int n = Math.min(len, appIn.remaining());
        appIn.get(b, off, n);
        return n;
      }
    });
  }

  /** The engine's first flight, the ClientHello record(s), not yet sent. */
  byte[] clientHello() throws IOException {
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.beginHandshake();
    engine.wrap(ByteBuffer.allocate(0), out);
    return Arrays.copyOf(out.array(), out.position());
  }

  /** Writes raw bytes to the socket, outside TLS. */
  void sendRaw(byte[] bytes) throws IOException {
    socketOut.write(bytes);
    socketOut.flush();
  }

  /** Everything the socket delivers until pgtls closes it (at most 15 s of silence). */
  byte[] readRawToEnd() throws IOException {
    return socketIn.readAllBytes();
  }

  /** Completes the handshake the sent ClientHello began; returns the negotiated ALPN protocol. */
  String finishHandshake() throws IOException {
    ByteBuffer scratch = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    for (int round = 0; round < 100; round++) {
      switch (engine.getHandshakeStatus()) {
        case NEED_TASK -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
        }
        case NEED_WRAP -> wrap(ByteBuffer.allocate(0));
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          scratch.clear();
          unwrap(scratch);
        }
        default -> {
          return engine.getApplicationProtocol();
        }
      }
    }
    throw new IOException("the handshake did not finish: " + engine.getHandshakeStatus());
  }

  /** A StartupMessage for a server that trusts {@code user}; reads until ReadyForQuery. */
  void startup(String user, String database) throws IOException {
    byte[] body = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
    wrap(ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(196608).put(body).flip());
    readUntilReady();
  }

  /** A simple Query; returns the first column of its first row. */
  String queryOne(String sql) throws IOException {
    byte[] q = (sql + "\0").getBytes(StandardCharsets.UTF_8);
    wrap(ByteBuffer.allocate(5 + q.length).put((byte) 'Q').putInt(4 + q.length).put(q).flip());
    return readUntilReady();
  }

  /** Reads until ReadyForQuery; returns the first value of the first DataRow, if any. */
  private String readUntilReady() throws IOException {
    String first = null;
    while (true) {
      char type = (char) in.readByte();
      byte[] body = in.readNBytes(in.readInt() - 4);
      if (type == 'E') {
        throw new IOException("ErrorResponse: " + new String(body, StandardCharsets.UTF_8));
      }
      if (type == 'R' && ByteBuffer.wrap(body).getInt() != 0) {
        throw new IOException("the server asked for authentication " + ByteBuffer.wrap(body).getInt()
            + ": not the trusting backend");
      }
      if (type == 'D' && first == null) {
        ByteBuffer row = ByteBuffer.wrap(body);
        row.getShort();
        byte[] value = new byte[row.getInt()];
        row.get(value);
        first = new String(value, StandardCharsets.UTF_8);
      }
      if (type == 'Z') {
        return first;
      }
    }
  }

  private void wrap(ByteBuffer app) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    do {
      out.clear();
      engine.wrap(app, out);
      socketOut.write(out.array(), 0, out.position());
    } while (app.hasRemaining());
    socketOut.flush();
  }

  /** One unwrap into {@code app}, reading the socket while the engine needs more bytes. */
  private SSLEngineResult unwrap(ByteBuffer app) throws IOException {
    byte[] chunk = new byte[16 * 1024];
    while (true) {
      netIn.flip();
      SSLEngineResult r = engine.unwrap(netIn, app);
      netIn.compact();
      if (r.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) {
        if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
        }
        return r;
      }
      int n = socketIn.read(chunk, 0, Math.min(chunk.length, netIn.remaining()));
      if (n < 0) {
        throw new IOException("pgtls closed the connection during " + engine.getHandshakeStatus());
      }
      netIn.put(chunk, 0, n);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
