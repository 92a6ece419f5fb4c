package io.pgtls.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * pgx v4 (Debian's golang-github-jackc-pgx-v4-dev), Go's PostgreSQL driver on Go's crypto/tls, as
 * a Go program. It is built once, offline, in GOPATH mode from the sources Debian installs under
 * {@code /usr/share/gocode}, into {@code target/pgx-client} under a name carrying the hash of its
 * source, so that a later test JVM reuses the binary.
 */
final class PgxClient extends ScriptedClient {
  private static final Path GOPATH = Path.of("/usr/share/gocode");
  private static final Path PGX_SOURCES = GOPATH.resolve("src/github.com/jackc/pgx/v4");
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  private static final String INSTALL = "Debian: apt-get install golang-go golang-github-jackc-pgx-v4-dev";
  private static final String SOURCE = """
      package main

      import (
        "context"
        "encoding/json"
        "errors"
        "fmt"
        "os"
        "time"

        "github.com/jackc/pgconn"
        "github.com/jackc/pgx/v4"
      )

      func main() {
        os.Exit(run())
      }

      func run() int {
        var cfg struct{ Conninfo, Action, SQL string }
        if err := json.Unmarshal([]byte(os.Getenv("PGTLS_INTEROP")), &cfg); err != nil {
          return fail(err)
        }
        ctx := context.Background()
        conn, err := pgx.Connect(ctx, cfg.Conninfo)
        if err != nil {
          return fail(err)
        }
        defer conn.Close(ctx)
        if cfg.Action == "query" {
          var v interface{}
          if err := conn.QueryRow(ctx, cfg.SQL).Scan(&v); err != nil {
            return fail(err)
          }
          fmt.Println(v)
          return 0
        }
        // PgConn.CancelRequest dials the server again and writes the CancelRequest in plaintext.
        canceller := time.AfterFunc(time.Second, func() {
          if err := conn.PgConn().CancelRequest(ctx); err != nil {
            fmt.Fprintln(os.Stderr, "CancelRequest:", err)
          }
        })
        defer canceller.Stop()
        rc := 0
        if _, err := conn.Exec(ctx, cfg.SQL); err != nil {
          rc = fail(err)
        } else {
          fmt.Println("not cancelled")
        }
        if _, err := conn.Exec(ctx, "select 1"); err != nil {
          return fail(err)
        }
        return rc
      }

      func fail(err error) int {
        var pgErr *pgconn.PgError
        if errors.As(err, &pgErr) {
          fmt.Fprintf(os.Stderr, "[%s] ", pgErr.Code)
        }
        fmt.Fprintln(os.Stderr, err)
        return 1
      }
      """;

  private static Path binary;
  private static AssertionError buildFailure;

  @Override
  public String name() {
    return "pgx v4";
  }

  @Override
  public void requireInstalled() {
    binary();
  }

  /** The built client, building it on first use; skips (fails under CI=true) without go or pgx. */
  private static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    if (buildFailure != null) {
      throw buildFailure;
    }
    Path go = Installed.require("go", INSTALL, "/usr/lib/go/bin");
    if (!Files.isDirectory(PGX_SOURCES)) {
      Installed.missing("no pgx sources in " + PGX_SOURCES + " (" + INSTALL + "); .ci/run installs them");
    }
    Path dir = Path.of(System.getProperty("pgtls.interop.pgxClient", "target/pgx-client")).toAbsolutePath();
    Path built = dir.resolve("pgx-client-" + sha256(SOURCE).substring(0, 16));
    if (!Files.isExecutable(built)) {
      build(go, dir, built);
    }
    binary = built;
    return binary;
  }

  private static void build(Path go, Path dir, Path built) {
    try {
      Path src = Files.createDirectories(dir.resolve("src"));
      Path main = src.resolve(built.getFileName() + ".go");
      Files.writeString(main, SOURCE, StandardCharsets.UTF_8);
      Path partial = dir.resolve(built.getFileName() + ".partial");
      // GOPATH mode: Debian installs Go libraries as sources, without a module cache to resolve from.
      Outcome o = Processes.run(
          Map.of("GO111MODULE", "off", "GOPATH", GOPATH.toString(), "GOFLAGS", "", "GOPROXY", "off",
              "CGO_ENABLED", "0", "GOCACHE", dir.resolve("gocache").toString()),
          List.of(go.toString(), "build", "-o", partial.toString(), main.toString()), BUILD_TIMEOUT);
      if (!o.succeeded()) {
        buildFailure = new AssertionError("go build of the pgx client failed: " + o);
        throw buildFailure;
      }
      Files.move(partial, built, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String cancelMechanism() {
    return "PgConn.CancelRequest() from another goroutine: a CancelRequest in plaintext on a new connection";
  }

  @Override
  public String untrustedServerError() {
    return "x509: certificate signed by unknown authority";
  }


  @Override
  Outcome run(Endpoint e, String action, String sql) {
    // pgconn reads libpq's keywords (sslmode=verify-full sets crypto/tls's ServerName) and PGPASSWORD.
    String config = Json.object(Map.of("Conninfo", e.conninfo(false), "Action", action, "SQL", sql));
    return Processes.run(Map.of("PGTLS_INTEROP", config, "PGPASSWORD", e.password()),
        List.of(binary().toString()));
  }
}
