package io.pgtls.e2e;

import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TrustMaterial;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;

/**
 * A PostgreSQL client that does only what a test tells it to, one message at a time: SSLRequest,
 * TLS, StartupMessage, simple queries. For behaviour no real driver shows on purpose (stopping to
 * read in the middle of a result).
 */
final class RawTlsClient implements AutoCloseable {
  static final byte[] SSL_REQUEST = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F};

  private final SSLSocket tls;
  private final Socket plain;
  final DataInputStream in;
  private final DataOutputStream out;

  /** The backend's process id and cancel key, from BackendKeyData. */
  int pid;
  byte[] cancelKey;

  RawTlsClient(int port, Path caCertificate) throws Exception {
    this(port, caCertificate, false);
  }

  /** With {@code direct}, TLS starts at once (PostgreSQL 17's direct SSL) and offers no ALPN. */
  RawTlsClient(int port, Path caCertificate, boolean direct) throws Exception {
    this(port, caCertificate, direct, new String[0]);
  }

  /** Offers the given ALPN protocols (none when empty). */
  RawTlsClient(int port, Path caCertificate, boolean direct, String[] alpn) throws Exception {
    this(port, caCertificate, direct, alpn, Opening.DIRECT);
  }

  /**
   * Opens the TCP connection as {@code opening} says (from a local address of its choosing, with
   * bytes such as a PROXY protocol header before the SSLRequest), then goes on as usual.
   */
  RawTlsClient(int port, Path caCertificate, Opening opening) throws Exception {
    this(port, caCertificate, false, new String[0], opening);
  }

  private RawTlsClient(int port, Path caCertificate, boolean direct, String[] alpn, Opening opening)
      throws Exception {
    plain = opening.connect(port);
    try {
      if (!direct) {
        plain.getOutputStream().write(SSL_REQUEST);
        int answer = plain.getInputStream().read();
        if (answer != 'S') {
          throw new IOException("expected S, got " + answer);
        }
      }
      var ctx = TlsContexts.client(TrustMaterial.load(caCertificate), null);
      tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true);
      if (alpn.length > 0) {
        var params = tls.getSSLParameters();
        params.setApplicationProtocols(alpn);
        tls.setSSLParameters(params);
      }
      tls.startHandshake();
    } catch (Exception e) {
      plain.close();
      throw e;
    }
    in = new DataInputStream(tls.getInputStream());
    out = new DataOutputStream(tls.getOutputStream());
  }

  /**
   * How the TCP connection is opened: from which local address (any 127.0.0.x on Linux), and what
   * is sent before anything else (a load balancer's PROXY protocol header), at once or one byte at
   * a time. Immutable.
   */
  static final class Opening {
    /** From the address the kernel picks (127.0.0.1), nothing before the client's own first packet. */
    static final Opening DIRECT = new Opening(null, new byte[0], false);

    private final String localAddress;
    private final byte[] preamble;
    private final boolean oneByteAtATime;

    private Opening(String localAddress, byte[] preamble, boolean oneByteAtATime) {
      this.localAddress = localAddress;
      this.preamble = preamble;
      this.oneByteAtATime = oneByteAtATime;
    }

    /** From {@code localAddress} (such as {@code 127.0.0.2}), an ephemeral port. */
    static Opening from(String localAddress) {
      return new Opening(localAddress, new byte[0], false);
    }

    /** Sends {@code bytes} first, before the SSLRequest. */
    Opening preamble(byte[] bytes) {
      return new Opening(localAddress, bytes.clone(), oneByteAtATime);
    }

    /** Sends the preamble one byte per TCP segment, as a slow or hostile peer may. */
    Opening oneByteAtATime() {
      return new Opening(localAddress, preamble, true);
    }

    /** Connects to 127.0.0.1:{@code port} and sends the preamble; the socket reads with a 30 s timeout. */
    Socket connect(int port) throws IOException {
      Socket s = new Socket();
      try {
        if (localAddress != null) {
          s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        }
        s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        if (oneByteAtATime) {
          s.setTcpNoDelay(true);
          for (byte b : preamble) {
            out.write(b);
            out.flush();
            Thread.sleep(2); // each byte its own segment, and its own read on pgtls's side
          }
        } else if (preamble.length > 0) {
          out.write(preamble);
          out.flush();
        }
        return s;
      } catch (IOException e) {
        s.close();
        throw e;
      } catch (InterruptedException e) {
        s.close();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while sending the preamble", e);
      }
    }
  }

  /** Sends a StartupMessage and reads until ReadyForQuery (the server must trust this user). */
  void startup(String user, String database) throws IOException {
    byte[] body = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
    out.write(ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(196608).put(body).array());
    out.flush();
    readUntilReady();
  }

  /** The client's end of the TCP connection (its address and ephemeral port). */
  InetSocketAddress localAddress() {
    return (InetSocketAddress) plain.getLocalSocketAddress();
  }

  String applicationProtocol() {
    return tls.getApplicationProtocol();
  }

  /** Writes raw bytes inside TLS (a first packet of the test's making). */
  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads one message; returns its type and body. */
  Message read() throws IOException {
    byte type = in.readByte();
    int len = in.readInt();
    return new Message((char) type, in.readNBytes(len - 4));
  }

  /** A typed backend message. */
  static final class Message {
    final char type;
    final byte[] body;

    Message(char type, byte[] body) {
      this.type = type;
      this.body = body;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Closes the TCP connection without a TLS close_notify, as a killed client does. */
  void abortWithoutCloseNotify() throws IOException {
    plain.shutdownOutput(); // FIN on the TCP socket, no TLS alert before it
  }

  /** Reads one ErrorResponse and returns its fields as text (type letter + value, NUL-separated). */
  String readError() throws IOException {
    byte type = in.readByte();
    int len = in.readInt();
    byte[] body = in.readNBytes(len - 4);
    if (type != 'E') {
      throw new IOException("expected an ErrorResponse, got '" + (char) type + "'");
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  /** A CancelRequest for the session whose BackendKeyData this client received. */
  byte[] cancelRequest() {
    return ByteBuffer.allocate(12 + cancelKey.length).putInt(12 + cancelKey.length).putInt(80877102).putInt(pid)
        .put(cancelKey).array();
  }

  void query(String sql) throws IOException {
    byte[] q = (sql + "\0").getBytes(StandardCharsets.UTF_8);
    out.write('Q');
    out.writeInt(4 + q.length);
    out.write(q);
    out.flush();
  }

  /** Reads messages until ReadyForQuery; returns how many DataRow messages came. */
  long readUntilReady() throws IOException {
    long rows = 0;
    while (true) {
      byte type = in.readByte();
      int len = in.readInt();
      byte[] body = in.readNBytes(len - 4);
      if (type == 'E') {
        throw new IOException("ErrorResponse: " + new String(body, StandardCharsets.UTF_8));
      }
      if (type == 'K') {
        ByteBuffer k = ByteBuffer.wrap(body);
        pid = k.getInt();
        cancelKey = new byte[k.remaining()];
        k.get(cancelKey);
      }
      if (type == 'D') {
        rows++;
      }
      if (type == 'Z') {
        return rows;
      }
    }
  }

  @Override
  public void close() throws IOException {
    tls.close();
  }
}
