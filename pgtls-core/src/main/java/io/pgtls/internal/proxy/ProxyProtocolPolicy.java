package io.pgtls.internal.proxy;

import io.pgtls.ProxyProtocol;
import java.net.InetAddress;

/**
 * A listener's {@link ProxyProtocol} settings, compiled: whose header is believed, which versions,
 * the v2 size cap, and what becomes of a connection from anyone else.
 */
public final class ProxyProtocolPolicy {
  private final CidrSet trusted;
  private final ProxyHeader.Versions versions;
  private final ProxyProtocol.Untrusted untrusted;
  private final int maxV2Length;

  private ProxyProtocolPolicy(CidrSet trusted, ProxyHeader.Versions versions, ProxyProtocol.Untrusted untrusted,
      int maxV2Length) {
    this.trusted = trusted;
    this.versions = versions;
    this.untrusted = untrusted;
    this.maxV2Length = maxV2Length;
  }

  /**
   * @throws IllegalArgumentException for a trusted entry that is not a CIDR or an address literal
   */
  public static ProxyProtocolPolicy compile(ProxyProtocol settings) {
    ProxyHeader.Versions versions = switch (settings.versions()) {
      case V1 -> ProxyHeader.Versions.V1;
      case V2 -> ProxyHeader.Versions.V2;
      case V1_AND_V2 -> ProxyHeader.Versions.V1_AND_V2;
    };
    return new ProxyProtocolPolicy(CidrSet.parse(settings.trustedProxies()), versions, settings.untrusted(),
        settings.maxV2Length());
  }

  /**
   * Whether a header from the TCP peer {@code peer} is believed (and required). The peer address,
   * never a header's: the spec forbids trusting what an untrusted peer says about itself.
   */
  public boolean trusts(InetAddress peer) {
    return trusted.contains(peer);
  }

  public ProxyHeader.Versions versions() {
    return versions;
  }

  public ProxyProtocol.Untrusted untrusted() {
    return untrusted;
  }

  public int maxV2Length() {
    return maxV2Length;
  }

  @Override
  public String toString() {
    return "PROXY " + versions + " from " + trusted + ", untrusted " + untrusted;
  }
}
