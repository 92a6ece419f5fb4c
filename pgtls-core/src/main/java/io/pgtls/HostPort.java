package io.pgtls;

import io.pgtls.internal.proxy.IpLiteral;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A host (name, IPv4 literal or IPv6 literal) and a port, as written in configuration:
 * {@code db.example.com:5432}, {@code 127.0.0.1:6432}, {@code [::1]:6432}. Host names are kept
 * unresolved: resolution happens off the selector loops, per connection.
 *
 * <p>A backend may also be a Unix-domain socket ({@link #parseBackend}). As in libpq, the host is
 * then the socket's directory and the port names the socket file in it, {@code
 * <directory>/.s.PGSQL.<port>}; {@link #toString()} is that file's path.
 */
public final class HostPort {
  private final String host;
  private final int port;

  private HostPort(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public static HostPort of(String host, int port) {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
    return new HostPort(stripBrackets(host), port);
  }

  /**
   * Parses {@code host:port}; IPv6 literals must be bracketed ({@code [::1]:5432}), since a bare
   * {@code ::1:5432} is ambiguous. A path is refused: only a backend may be a Unix-domain socket
   * ({@link #parseBackend}).
   */
  public static HostPort parse(String text) {
    Objects.requireNonNull(text, "address");
    String s = text.trim();
    if (s.startsWith("/")) {
      throw new IllegalArgumentException("'" + text + "' is a Unix-domain socket path; only a backend address may "
          + "be one, here write host:port (e.g. 127.0.0.1:6432)");
    }
    int colon;
    String host;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("'" + text + "' is not host:port (IPv6 is written [::1]:5432)");
      }
      host = s.substring(1, close);
      colon = close + 1;
    } else {
      colon = s.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("'" + text + "' is not host:port (e.g. 127.0.0.1:6432)");
      }
      host = s.substring(0, colon);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException("'" + text + "' is ambiguous: write IPv6 addresses as [::1]:5432");
      }
    }
    String portText = s.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no valid port: '" + portText + "'");
    }
    return of(host, port);
  }

  /** PostgreSQL's socket file name, {@code .s.PGSQL.<port>}, before the port. */
  static final String SOCKET_FILE_PREFIX = ".s.PGSQL.";
  /** The port of a socket directory written without one, as libpq's default. */
  public static final int DEFAULT_PORT = 5432;

  /**
   * The Unix-domain socket {@code <directory>/.s.PGSQL.<port>}. The directory must be absolute;
   * a trailing slash is dropped.
   */
  public static HostPort unixSocket(String directory, int port) {
    Objects.requireNonNull(directory, "directory");
    if (!directory.startsWith("/")) {
      throw new IllegalArgumentException("'" + directory + "' is not an absolute path");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
    String d = directory;
    while (d.length() > 1 && d.endsWith("/")) {
      d = d.substring(0, d.length() - 1);
    }
    return new HostPort(d, port);
  }

  /**
   * Parses a backend address as libpq reads a host: {@link #parse host:port} for TCP, or, for text
   * starting with '/', a Unix-domain socket in one of three forms:
   *
   * <ul>
   *   <li>{@code /var/run/postgresql/.s.PGSQL.5432}: the socket file; its name gives the port;
   *   <li>{@code /var/run/postgresql:5432}: the socket directory and the port;
   *   <li>{@code /var/run/postgresql}: the socket directory, port {@value #DEFAULT_PORT}.
   * </ul>
   *
   * A path whose last name does not start with {@code .s.PGSQL.} is a directory, as in libpq. A
   * ':' is the port separator only: a socket file with a port too, a ':' in the directory or a
   * port that is not a number are refused rather than guessed at.
   */
  public static HostPort parseBackend(String text) {
    Objects.requireNonNull(text, "address");
    String s = text.trim();
    if (!s.startsWith("/")) {
      return parse(text);
    }
    String path = s;
    Integer port = null;
    int colon = s.indexOf(':');
    if (colon >= 0) {
      path = s.substring(0, colon);
      String portText = s.substring(colon + 1);
      if (portText.isEmpty() || !portText.chars().allMatch(c -> c >= '0' && c <= '9') || portText.length() > 5) {
        throw new IllegalArgumentException("'" + text + "' is neither a Unix-domain socket path nor path:port "
            + "(a ':' may only separate a socket directory from its port, e.g. /var/run/postgresql:5432)");
      }
      port = Integer.parseInt(portText);
    }
    String directory = path;
    int slash = path.lastIndexOf('/');
    String lastName = path.substring(slash + 1);
    if (lastName.startsWith(SOCKET_FILE_PREFIX)) {
      if (port != null) {
        throw new IllegalArgumentException("'" + text + "' names a socket file and a port; write the socket file "
            + path + " alone, or its directory and port " + path.substring(0, Math.max(slash, 1)) + ":" + port);
      }
      String portText = lastName.substring(SOCKET_FILE_PREFIX.length());
      if (portText.isEmpty() || !portText.chars().allMatch(c -> c >= '0' && c <= '9') || portText.length() > 5) {
        throw new IllegalArgumentException("'" + text + "' is not a PostgreSQL socket file: its name must be "
            + SOCKET_FILE_PREFIX + "<port>, e.g. /var/run/postgresql/.s.PGSQL.5432");
      }
      port = Integer.parseInt(portText);
      directory = path.substring(0, Math.max(slash, 1));
    }
    return unixSocket(directory, port == null ? DEFAULT_PORT : port);
  }

  private static String stripBrackets(String host) {
    if (host.startsWith("[") && host.endsWith("]")) {
      return host.substring(1, host.length() - 1);
    }
    return host;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** True when the host is an IPv4 or IPv6 literal, which needs no DNS and gets no SNI. */
  public boolean isIpLiteral() {
    return !isUnixSocket() && isIpLiteral(host);
  }

  /** True for a Unix-domain socket: the host is then its directory, an absolute path. */
  public boolean isUnixSocket() {
    return host.startsWith("/");
  }

  /** The socket file, {@code <directory>/.s.PGSQL.<port>}; only for a {@link #isUnixSocket Unix-domain socket}. */
  public Path socketPath() {
    requireUnixSocket();
    return Path.of(host, SOCKET_FILE_PREFIX + port);
  }

  /** The address to connect a {@code StandardProtocolFamily.UNIX} channel to. */
  public UnixDomainSocketAddress toUnixDomainAddress() {
    return UnixDomainSocketAddress.of(socketPath());
  }

  /** The length of {@link #socketPath()} in bytes, as the kernel's {@code sun_path} holds it. */
  public int socketPathBytes() {
    return socketPath().toString().getBytes(StandardCharsets.UTF_8).length;
  }

  private void requireUnixSocket() {
    if (!isUnixSocket()) {
      throw new IllegalStateException(this + " is not a Unix-domain socket");
    }
  }

  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // only IPv6 literals contain a colon once brackets are stripped
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** An unresolved socket address; for IP literals it does not touch DNS. */
  public InetSocketAddress toUnresolved() {
    if (isUnixSocket()) {
      throw new IllegalStateException(this + " is a Unix-domain socket, not a TCP address");
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  /**
   * Equal when the ports are equal and the hosts are: host names and IP literals as given but for
   * ASCII case ({@code DB.example.com} is {@code db.example.com}, as DNS has it), socket
   * directories exactly (file names are case-sensitive). Only ASCII letters fold: {@link
   * String#equalsIgnoreCase} would also make {@code ſ} (long s) equal to {@code s} and {@code İ}
   * to {@code i}, which {@link #hashCode} could not follow and DNS does not do.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof HostPort other && other.port == port && other.comparedHost().equals(comparedHost());
  }

  @Override
  public int hashCode() {
    return comparedHost().hashCode() * 31 + port;
  }

  /** The host as {@link #equals} compares it: ASCII letters in lower case unless it is a socket directory. */
  private String comparedHost() {
    if (isUnixSocket()) {
      return host;
    }
    StringBuilder folded = null;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (folded == null) {
          folded = new StringBuilder(host);
        }
        folded.setCharAt(i, (char) (c + ('a' - 'A')));
      }
    }
    return folded == null ? host : folded.toString();
  }

  /** {@code host:port}, {@code [::1]:port}, or a Unix-domain socket's file path. */
  @Override
  public String toString() {
    return isUnixSocket() ? socketPath().toString() : join(host, port);
  }

  /**
   * A socket address as pgtls writes it in logs: {@code 127.0.0.1:6432}, {@code [::1]:6432}, the
   * numeric address when it is resolved (no reverse lookup), {@code null} for none.
   */
  public static String format(SocketAddress address) {
    if (!(address instanceof InetSocketAddress)) {
      return String.valueOf(address);
    }
    InetSocketAddress a = (InetSocketAddress) address;
    // RFC 5952's short form (2001:db8::7), as the PROXY header's description and most tools write
    // it; the JDK's getHostAddress would give 2001:db8:0:0:0:0:0:7.
    return join(a.getAddress() == null ? a.getHostString() : IpLiteral.format(a.getAddress().getAddress()), a.getPort());
  }

  private static String join(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
