package io.pgtls.e2e;

import io.pgtls.testkit.junit.Startable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend that misbehaves in ways a real PostgreSQL cannot be made to: it reads the proxy's
 * SSLRequest, answers with the given bytes (or nothing), then holds the connection open. It
 * listens from {@link #start()} on.
 */
final class FakeBackend implements Startable {
  private final byte[] answer;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private ServerSocket server;

  FakeBackend(byte[] answer) {
    this.answer = answer.clone();
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ServerSocket listening = server;
    Thread thread = new Thread(() -> {
      while (!listening.isClosed()) {
        try {
          Socket s = listening.accept();
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
  public synchronized void close() {
    if (server == null) {
      return;
    }
    try {
      server.close();
      for (Socket s : held) {
        s.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
