package io.pgtls.benchmarks.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.SocketFactory;

/**
 * Holds a number of idle, fully started PostgreSQL sessions open over TLS against one address, so
 * that {@code benchmarks/run.sh} can read a proxy's resident memory with that many clients.
 *
 * <pre>
 * IdleClients --host 127.0.0.1 --port 6432 --count 10000 --user postgres --password secret
 *     --database postgres --root-cert ca.crt [--threads 8] [--server-name localhost]
 * </pre>
 *
 * <p>Each session is a pgjdbc connection with {@code sslmode=verify-full}: {@code --server-name}
 * is the name sent as SNI and checked against the server's certificate, {@code --host} the address
 * actually dialled. Once all are open it prints {@code ready N} on stdout, then holds them until
 * stdin reaches end of file or the process gets SIGTERM, closes them and exits 0. If any fails to
 * open it prints why, closes the others and exits 1.
 *
 * <p>A non-interactive shell gives a background job ({@code &}) /dev/null as stdin, which ends at
 * once: start it with a stdin that stays open (a fifo, or {@code sleep infinity |}), or stop it
 * with SIGTERM only.
 *
 * <p>Memory: pgjdbc keeps per connection an 8 KiB receive and an 8 KiB send buffer, its type
 * cache, and, since its default {@code LibPQFactory} builds a new {@code SSLContext} for every
 * connection, that context and its trust manager; the JDK's {@code SSLSocket} adds its record
 * buffers. That came to about 80 KiB of live heap per idle session (50 sessions against 1), so
 * 10,000 take about 0.8 GiB and fit in {@code -Xmx4g}.
 */
public final class IdleClients {
  private static final String USAGE = "usage: IdleClients --host H --port P --count N --user U"
      + " --password PW --database DB --root-cert CA.crt [--threads 8] [--server-name localhost]";

  /** A connection property pgjdbc passes through untouched to {@link DialFactory}. */
  private static final String DIAL_HOST = "pgtlsDialHost";

  private IdleClients() {}

  public static void main(String[] args) throws InterruptedException, IOException {
    Map<String, String> flags = flags(args);
    String url = "jdbc:postgresql://" + flags.getOrDefault("server-name", "localhost") + ":"
        + required(flags, "port") + "/" + required(flags, "database");
    Properties props = properties(flags);
    int count = Integer.parseInt(required(flags, "count"));
    int threads = Integer.parseInt(flags.getOrDefault("threads", "8"));

    Connection[] open = new Connection[count];
    String failure = openAll(url, props, open, threads);
    if (failure != null) {
      closeAll(open);
      System.err.println("IdleClients: " + failure);
      System.exit(1);
    }

    // Registered only now, so that a failure above still exits 1. The JVM reports a SIGTERM as
    // status 143 even after its hooks complete; halting from the hook makes a requested stop exit 0.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      closeAll(open);
      Runtime.getRuntime().halt(0);
    }, "close-idle-clients"));
    System.out.println("ready " + count);
    System.out.flush();
    System.in.transferTo(OutputStream.nullOutputStream());
    System.exit(0);
  }

  /** Opens {@code open.length} connections on {@code threads} threads; the first failure, or null. */
  private static String openAll(String url, Properties props, Connection[] open, int threads)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger opened = new AtomicInteger();
    AtomicReference<String> failure = new AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(pool.submit(() -> {
        for (int i; failure.get() == null && (i = next.getAndIncrement()) < open.length; ) {
          try {
            open[i] = DriverManager.getConnection(url, props);
          } catch (SQLException e) {
            failure.compareAndSet(null, "connection " + (i + 1) + " failed: " + e.getMessage());
            return;
          }
          int n = opened.incrementAndGet();
          if (n % 1000 == 0) {
            System.err.println("IdleClients: " + n + "/" + open.length + " open");
          }
        }
      }));
    }
    pool.shutdown();
    // Future.get also makes each worker's writes to open[] visible here.
    for (Future<?> worker : workers) {
      try {
        worker.get();
      } catch (ExecutionException e) {
        failure.compareAndSet(null, String.valueOf(e.getCause()));
      }
    }
    return failure.get();
  }

  private static Properties properties(Map<String, String> flags) {
    Properties p = new Properties();
    p.setProperty("user", required(flags, "user"));
    p.setProperty("password", required(flags, "password"));
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", required(flags, "root-cert"));
    // The default, named because it is the factory that reads sslrootcert.
    p.setProperty("sslfactory", "org.postgresql.ssl.LibPQFactory");
    // SCRAM-SHA-256-PLUS binds to the certificate of whoever ends the TLS session: a proxy's.
    p.setProperty("channelBinding", "disable");
    p.setProperty("tcpKeepAlive", "false");
    // Sends application_name and extra_float_digits in the StartupMessage instead of a SET after.
    p.setProperty("assumeMinServerVersion", "9.0");
    // Bounds a stalled startup; an idle session never reads, so it never times out afterwards.
    p.setProperty("socketTimeout", "60");
    p.setProperty("socketFactory", DialFactory.class.getName());
    p.setProperty(DIAL_HOST, required(flags, "host"));
    return p;
  }

  private static void closeAll(Connection[] open) {
    for (Connection c : open) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          System.err.println("IdleClients: close failed: " + e.getMessage());
        }
      }
    }
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        usage("bad argument " + args[i]);
      }
      flags.put(args[i].substring(2), args[i + 1]);
    }
    return flags;
  }

  private static String required(Map<String, String> flags, String name) {
    String value = flags.get(name);
    if (value == null) {
      usage("missing --" + name);
    }
    return value;
  }

  private static void usage(String why) {
    System.err.println("IdleClients: " + why);
    System.err.println(USAGE);
    System.exit(2);
  }

  /**
   * Dials the address given as {@link #DIAL_HOST} whatever host the URL names, so that the URL's
   * host can be the certificate's name (for SNI and verify-full) while the socket goes to
   * {@code --host}. pgjdbc instantiates it by class name with the connection's properties, and
   * calls only {@link #createSocket()}, then {@code connect} on the unconnected socket.
   */
  public static final class DialFactory extends SocketFactory {
    private final String dialHost;

    public DialFactory(Properties props) {
      this.dialHost = props.getProperty(DIAL_HOST);
    }

    @Override
    public Socket createSocket() {
      return new Socket() {
        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
          super.connect(new InetSocketAddress(dialHost, ((InetSocketAddress) endpoint).getPort()), timeout);
        }
      };
    }

    @Override
    public Socket createSocket(String host, int port) {
      throw new UnsupportedOperationException("pgjdbc connects an unconnected socket");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
      throw new UnsupportedOperationException("pgjdbc connects an unconnected socket");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
      throw new UnsupportedOperationException("pgjdbc connects an unconnected socket");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
      throw new UnsupportedOperationException("pgjdbc connects an unconnected socket");
    }
  }
}
