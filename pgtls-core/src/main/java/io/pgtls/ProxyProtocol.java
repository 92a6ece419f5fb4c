package io.pgtls;

import java.util.List;
import java.util.Objects;

/**
 * A listener behind a TCP load balancer: the PROXY protocol header (HAProxy's v1 text or v2
 * binary) that the balancer sends first on each connection, before the SSLRequest or the
 * ClientHello, names the real client. Immutable.
 *
 * <p>The header is believed only from peers inside {@link #trustedProxies()}: the spec forbids
 * guessing whether a header is there, or a client could name any address it likes. From a trusted
 * peer the header is required; a peer outside the list is refused, or with {@link
 * Untrusted#DIRECT} served as a direct client whose first bytes are never read as a header.
 */
public final class ProxyProtocol {
  /** The header versions accepted. */
  public enum Versions {
    V1,
    V2,
    V1_AND_V2
  }

  /** What happens to a connection from a peer outside the trusted proxies. */
  public enum Untrusted {
    /** Closed at once, with a log line: every client must come through the balancer. */
    REFUSE,
    /** Served as a direct client: its address is its TCP peer, and no header is read. */
    DIRECT
  }

  /** The largest v2 header (after its 16 fixed bytes) accepted by default; AWS's and Azure's TLVs are tiny. */
  public static final int DEFAULT_MAX_V2_LENGTH = 4096;

  private final List<String> trustedProxies;
  private final Versions versions;
  private final Untrusted untrusted;
  private final int maxV2Length;

  private ProxyProtocol(List<String> trustedProxies, Versions versions, Untrusted untrusted, int maxV2Length) {
    this.trustedProxies = trustedProxies;
    this.versions = versions;
    this.untrusted = untrusted;
    this.maxV2Length = maxV2Length;
  }

  /**
   * Headers of either version from peers in {@code trustedProxies} (CIDRs such as {@code
   * 10.0.0.0/8}, {@code 2001:db8::/32}, or single addresses); other peers refused.
   */
  public static ProxyProtocol trusting(List<String> trustedProxies) {
    return new ProxyProtocol(List.copyOf(trustedProxies), Versions.V1_AND_V2, Untrusted.REFUSE,
        DEFAULT_MAX_V2_LENGTH);
  }

  /** See {@link #trusting(List)}. */
  public static ProxyProtocol trusting(String... trustedProxies) {
    return trusting(List.of(trustedProxies));
  }

  public ProxyProtocol versions(Versions accepted) {
    return new ProxyProtocol(trustedProxies, Objects.requireNonNull(accepted, "accepted"), untrusted, maxV2Length);
  }

  public ProxyProtocol untrusted(Untrusted policy) {
    return new ProxyProtocol(trustedProxies, versions, Objects.requireNonNull(policy, "policy"), maxV2Length);
  }

  /** The largest v2 header length field accepted (bytes after the 16 fixed ones). */
  public ProxyProtocol maxV2Length(int bytes) {
    return new ProxyProtocol(trustedProxies, versions, untrusted, bytes);
  }

  public List<String> trustedProxies() {
    return trustedProxies;
  }

  public Versions versions() {
    return versions;
  }

  public Untrusted untrusted() {
    return untrusted;
  }

  public int maxV2Length() {
    return maxV2Length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProxyProtocol p && p.trustedProxies.equals(trustedProxies) && p.versions == versions
        && p.untrusted == untrusted && p.maxV2Length == maxV2Length;
  }

  @Override
  public int hashCode() {
    return Objects.hash(trustedProxies, versions, untrusted, maxV2Length);
  }

  @Override
  public String toString() {
    return "ProxyProtocol{" + versions + " from " + trustedProxies + ", untrusted " + untrusted
        + (maxV2Length == DEFAULT_MAX_V2_LENGTH ? "" : ", maxV2Length=" + maxV2Length) + "}";
  }
}
