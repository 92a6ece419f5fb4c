package io.pgtls.interop;

import java.nio.file.Path;

/**
 * Where and how one client connects: a pgtls route, the account, and the client's TLS settings.
 * The host is always {@code localhost}, so that verify-full checks a DNS name (and clients that
 * send SNI send one); the proxy listens on 127.0.0.1.
 *
 * @param route the pgtls route's name, as refusal messages quote it
 * @param encrypted {@code sslmode=verify-full} (or the client's equivalent) when true, no TLS at all
 *     ({@code sslmode=disable}) when false
 * @param rootCertificate the CA the client trusts
 * @param clientCertificate PEM certificate the client presents, or null for none
 * @param clientKey PEM private key of {@code clientCertificate}, or null
 * @param clientKeyPkcs8Der the same key as PKCS#8 DER (what pgjdbc reads), or null
 * @param requireChannelBinding {@code channel_binding=require} (or the client's equivalent)
 */
record Endpoint(
    String host,
    int port,
    String route,
    String database,
    String user,
    String password,
    boolean encrypted,
    Path rootCertificate,
    Path clientCertificate,
    Path clientKey,
    Path clientKeyPkcs8Der,
    boolean requireChannelBinding) {

  Endpoint withoutTls() {
    return new Endpoint(host, port, route, database, user, password, false, rootCertificate, null, null, null, false);
  }

  Endpoint trusting(Path otherRoot) {
    return new Endpoint(host, port, route, database, user, password, encrypted, otherRoot, clientCertificate,
        clientKey, clientKeyPkcs8Der, requireChannelBinding);
  }

  Endpoint requiringChannelBinding() {
    return new Endpoint(host, port, route, database, user, password, encrypted, rootCertificate, clientCertificate,
        clientKey, clientKeyPkcs8Der, true);
  }

  /**
   * libpq's conninfo for this endpoint, shared by psql, pgbench and psycopg2. {@code direct} adds
   * libpq 17's {@code sslnegotiation=direct} (TLS ClientHello first, no SSLRequest).
   */
  String conninfo(boolean direct) {
    StringBuilder s = new StringBuilder()
        .append("host=").append(host).append(" port=").append(port)
        .append(" dbname=").append(database).append(" user=").append(user)
        .append(" connect_timeout=20");
    if (!encrypted) {
      return s.append(" sslmode=disable").toString();
    }
    s.append(" sslmode=verify-full sslrootcert=").append(rootCertificate);
    if (direct) {
      s.append(" sslnegotiation=direct");
    }
    if (requireChannelBinding) {
      s.append(" channel_binding=require");
    }
    if (clientCertificate != null) {
      s.append(" sslcert=").append(clientCertificate).append(" sslkey=").append(clientKey);
    }
    return s.toString();
  }
}
