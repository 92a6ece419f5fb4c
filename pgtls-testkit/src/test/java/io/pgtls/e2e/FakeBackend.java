package io.pgtls.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend that misbehaves in ways a real PostgreSQL cannot be made to: it reads the proxy's
 * SSLRequest, answers with the given bytes (or nothing), then holds the connection open.
 */
final class FakeBackend implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final Thread thread;

  FakeBackend(byte[] answer) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    thread = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          held.add(s);
          InputStream in = s.getInputStream();
          in.readNBytes(8); // the SSLRequest
          if (answer.length > 0) {
            OutputStream out = s.getOutputStream();
            out.write(answer);
            out.flush();
          }
        } catch (IOException e) {
          // closed
        }
      }
    }, "fake-backend");
    thread.setDaemon(true);
    thread.start();
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : held) {
      s.close();
    }
  }
}
