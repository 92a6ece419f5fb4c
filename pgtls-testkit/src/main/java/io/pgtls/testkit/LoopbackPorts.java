package io.pgtls.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/** Free TCP ports and the loopback addresses a server can listen on. */
final class LoopbackPorts {

  static final String IPV4_LOOPBACK = "127.0.0.1";
  static final String IPV6_LOOPBACK = "::1";

  private static final int ATTEMPTS = 20;

  private LoopbackPorts() {}

  /**
   * Whether {@code ::1} can be bound: containers often run without IPv6, and PostgreSQL would only
   * log a warning and carry on without it.
   */
  static boolean ipv6LoopbackAvailable() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(IPV6_LOOPBACK), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A port the kernel just handed out on 127.0.0.1 and, when {@code alsoIpv6}, also free on
   * {@code ::1}. It is closed again before PostgreSQL binds it, so another process may still take
   * it in between; the caller retries on "could not bind".
   */
  static int freePort(boolean alsoIpv6) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = ephemeralPort();
      if (!alsoIpv6 || bindable(IPV6_LOOPBACK, port)) {
        return port;
      }
    }
    throw new PostgresServerException("No port free on both loopback addresses");
  }

  private static int ephemeralPort() {
    try (ServerSocket socket = new ServerSocket()) {
      // Without SO_REUSEADDR the port would sit in TIME_WAIT after close on some kernels.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(loopback(IPV4_LOOPBACK), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot bind a port on " + IPV4_LOOPBACK, e);
    }
  }

  private static boolean bindable(String address, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(loopback(address), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static InetAddress loopback(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Not an address literal: " + literal, e);
    }
  }
}
