package io.pgtls.launcher;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Which certificate a pgtls listener shows a new client: SSLRequest, 'S', TLS handshake, peer certificate. */
final class TlsProbe {
  private TlsProbe() {}

  static BigInteger serial(int port) throws Exception {
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      plain.setSoTimeout(10_000);
      OutputStream out = plain.getOutputStream();
      out.write(ByteBuffer.allocate(8).putInt(8).putInt(80877103).array());
      out.flush();
      int answer = new DataInputStream(plain.getInputStream()).readUnsignedByte();
      if (answer != 'S') {
        throw new AssertionError("SSLRequest answered " + (char) answer);
      }
      SSLContext tls = SSLContext.getInstance("TLS");
      // Only the certificate's identity is compared here; trust is what the client tests check.
      tls.init(null, new TrustManager[] {new TrustAll()}, null);
      try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", port, true)) {
        socket.startHandshake();
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
      }
    }
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
