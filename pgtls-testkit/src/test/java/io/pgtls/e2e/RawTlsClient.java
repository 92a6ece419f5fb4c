package io.pgtls.e2e;

import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TrustMaterial;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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
  private final SSLSocket tls;
  final DataInputStream in;
  private final DataOutputStream out;

  RawTlsClient(int port, Path caCertificate) throws Exception {
    Socket plain = new Socket("127.0.0.1", port);
    plain.setSoTimeout(30_000);
    plain.getOutputStream().write(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
    int answer = plain.getInputStream().read();
    if (answer != 'S') {
      throw new IOException("expected S, got " + answer);
    }
    var ctx = TlsContexts.client(TrustMaterial.load(caCertificate), null);
    tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true);
    tls.startHandshake();
    in = new DataInputStream(tls.getInputStream());
    out = new DataOutputStream(tls.getOutputStream());
  }

  /** Sends a StartupMessage and reads until ReadyForQuery (the server must trust this user). */
  void startup(String user, String database) throws IOException {
    byte[] body = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
    out.write(ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(196608).put(body).array());
    out.flush();
    readUntilReady();
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
