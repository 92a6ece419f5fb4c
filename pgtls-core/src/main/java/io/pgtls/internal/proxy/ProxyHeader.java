package io.pgtls.internal.proxy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the PROXY protocol header (haproxy {@code doc/proxy-protocol.txt}, versions 1 and 2) that a
 * load balancer puts before a client's first bytes, carrying the client's real address. Pure
 * function over bytes, no I/O: the connection calls it as bytes arrive, the fuzz tests with
 * anything.
 *
 * <p>The spec says the receiver "MUST not try to guess whether the protocol header is present or
 * not", or anyone could spoof an address. So this parser is called only where configuration
 * requires a header, and everything that is not a header of an accepted version (an SSLRequest, a
 * TLS ClientHello, {@code GET /}) is {@link Kind#INVALID}, never passed through. {@link
 * Kind#NEED_MORE} means the bytes so far can still begin an accepted header; the spec's rule that
 * the receiver "must not start to parse an address before the whole address block is received"
 * (and, for v1, "must wait for the CRLF sequence before starting to decode the addresses") means
 * that addresses and TLVs are judged once the whole header is there, which its bound (107 bytes,
 * or 16 plus a capped length) keeps short.
 */
public final class ProxyHeader {
  private ProxyHeader() {}

  /** The header versions a listener accepts. */
  public enum Versions {
    V1,
    V2,
    V1_AND_V2;

    boolean acceptsV1() {
      return this != V2;
    }

    boolean acceptsV2() {
      return this != V1;
    }
  }

  /** What the buffer starts with. */
  public enum Kind {
    /** The bytes so far begin an accepted header; wait for more. */
    NEED_MORE,
    /** A complete, valid header of {@link Parse#length()} bytes. */
    HEADER,
    /** Not a header of an accepted version, or a broken one: close the connection. */
    INVALID
  }

  /** The v2 command (spec §2.2); v1 headers are always PROXY. */
  public enum Command {
    /** Relayed on behalf of a client whose addresses the header carries. */
    PROXY,
    /** The proxy's own connection, such as a health check: the real endpoints apply. */
    LOCAL
  }

  /** The address family the header announces. */
  public enum Family {
    TCP4,
    TCP6,
    /** v2 AF_UNIX stream: paths, not network addresses; the real endpoints apply. */
    UNIX,
    /** v2 AF_UNSPEC: no addresses; the real endpoints apply. */
    UNSPEC,
    /** v1 {@code PROXY UNKNOWN}: no addresses; the real endpoints apply. */
    UNKNOWN_V1
  }

  /** A bit of the PP2_TYPE_SSL {@code client} field (spec §2.2.6). */
  public enum SslClient {
    /** PP2_CLIENT_SSL (0x01): the client connected over TLS. */
    SSL,
    /** PP2_CLIENT_CERT_CONN (0x02): it presented a certificate on this connection. */
    CERT_CONN,
    /** PP2_CLIENT_CERT_SESS (0x04): it presented one at least once in this TLS session. */
    CERT_SESS
  }

  /**
   * The PP2_TYPE_SSL TLV: what a TLS-terminating proxy in front saw of the client's TLS.
   *
   * @param client the {@code client} bits set (unknown bits are left out)
   * @param verify 0 when the client presented a certificate that was verified, non-zero otherwise
   * @param version the PP2_SUBTYPE_SSL_VERSION sub-TLV, {@code TLSv1.3}; null when absent
   * @param commonName the PP2_SUBTYPE_SSL_CN sub-TLV, the client certificate's CN; null when absent
   */
  public record Ssl(Set<SslClient> client, int verify, String version, String commonName) {
    public Ssl {
      client = Set.copyOf(client);
    }

    /** The spec's meaning of {@code verify == 0}: a client certificate was presented and verified. */
    public boolean verified() {
      return verify == 0;
    }

    @Override
    public String toString() {
      return "Ssl(client=" + client + ", verify=" + verify + ", version=" + version + ", cn=" + commonName + ")";
    }
  }

  /**
   * What a header says.
   *
   * @param command PROXY or LOCAL
   * @param family the announced family
   * @param version 1 or 2
   * @param source the client's address: null for LOCAL and for families without network
   *     addresses; an IPv4-mapped IPv6 source is given as the IPv4 address it carries
   * @param destination the address the client connected to, null when source is
   * @param alpn PP2_TYPE_ALPN, or null
   * @param authority PP2_TYPE_AUTHORITY, the server name a TLS terminator in front saw, or null
   * @param uniqueId PP2_TYPE_UNIQUE_ID (at most 128 opaque bytes), or null
   * @param awsVpcEndpointId the AWS PrivateLink VPC endpoint id (TLV 0xEA, subtype 0x01), or null
   * @param azureLinkId the Azure Private Link LINKID (TLV 0xEE, subtype 0x01), or null
   * @param ssl PP2_TYPE_SSL, or null
   * @param otherTlvTypes the types of the TLVs that were skipped, in order, for the log
   */
  public record Info(
      Command command,
      Family family,
      int version,
      InetSocketAddress source,
      InetSocketAddress destination,
      String alpn,
      String authority,
      byte[] uniqueId,
      String awsVpcEndpointId,
      Long azureLinkId,
      Ssl ssl,
      List<Integer> otherTlvTypes) {
    public Info {
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(family, "family");
      uniqueId = uniqueId == null ? null : uniqueId.clone();
      otherTlvTypes = List.copyOf(otherTlvTypes);
    }

    static Info v1(Family family, InetSocketAddress source, InetSocketAddress destination) {
      return new Info(Command.PROXY, family, 1, source, destination, null, null, null, null, null, null, List.of());
    }

    static Info v2(Command command, Family family, InetSocketAddress source, InetSocketAddress destination, V2Tlvs.Found t) {
      return new Info(command, family, 2, source, destination, t.alpn(), t.authority(), t.uniqueId(),
          t.awsVpcEndpointId(), t.azureLinkId(), t.ssl(), t.otherTlvTypes());
    }

    @Override
    public byte[] uniqueId() {
      return uniqueId == null ? null : uniqueId.clone();
    }

    /** The unique id for a log: printable ASCII as is, anything else as hex; null when absent. */
    public String uniqueIdText() {
      return uniqueId == null ? null : LogText.printableOrHex(uniqueId);
    }

    /**
     * The client's address, when the header carries one: a PROXY command with TCP4 or TCP6.
     * Otherwise (LOCAL, UNSPEC, UNIX, v1 UNKNOWN) the spec says to use the real connection's
     * endpoints.
     */
    public Optional<InetSocketAddress> clientAddress() {
      boolean carries = command == Command.PROXY && (family == Family.TCP4 || family == Family.TCP6);
      return carries ? Optional.ofNullable(source) : Optional.empty();
    }

    /**
     * One line for the log with only the fields present, e.g. {@code PROXY v2 TCP4
     * 203.0.113.7:51234 -> 10.0.0.5:6432 vpce=vpce-0123 unique_id=abc}. Text from the header is
     * escaped so that it stays one token.
     */
    public String describe() {
      StringBuilder sb = new StringBuilder();
      sb.append(command).append(" v").append(version).append(' ')
          .append(family == Family.UNKNOWN_V1 ? "UNKNOWN" : family.name());
      if (source != null) {
        sb.append(' ').append(IpLiteral.format(source)).append(" -> ").append(IpLiteral.format(destination));
      }
      field(sb, "alpn", alpn);
      field(sb, "authority", authority);
      field(sb, "unique_id", uniqueIdText());
      field(sb, "vpce", awsVpcEndpointId);
      if (azureLinkId != null) {
        sb.append(" azure_link_id=").append(azureLinkId);
      }
      if (ssl != null) {
        sb.append(" ssl_client=").append(ssl.client().isEmpty() ? "none" : sortedNames(ssl.client()));
        sb.append(" ssl_verify=").append(Integer.toUnsignedString(ssl.verify()));
        field(sb, "ssl_version", ssl.version());
        field(sb, "ssl_cn", ssl.commonName());
      }
      if (!otherTlvTypes.isEmpty()) {
        sb.append(" other_tlvs=");
        for (int i = 0; i < otherTlvTypes.size(); i++) {
          sb.append(i == 0 ? "" : ",").append(String.format("0x%02x", otherTlvTypes.get(i)));
        }
      }
      return sb.toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
      if (value != null) {
        sb.append(' ').append(name).append('=').append(LogText.token(value));
      }
    }

    private static String sortedNames(Set<SslClient> flags) {
      StringBuilder sb = new StringBuilder();
      for (SslClient f : SslClient.values()) {
        if (flags.contains(f)) {
          sb.append(sb.length() == 0 ? "" : ",").append(f);
        }
      }
      return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Info)) {
        return false;
      }
      Info i = (Info) o;
      return command == i.command && family == i.family && version == i.version && Objects.equals(source, i.source)
          && Objects.equals(destination, i.destination) && Objects.equals(alpn, i.alpn)
          && Objects.equals(authority, i.authority) && Arrays.equals(uniqueId, i.uniqueId)
          && Objects.equals(awsVpcEndpointId, i.awsVpcEndpointId) && Objects.equals(azureLinkId, i.azureLinkId)
          && Objects.equals(ssl, i.ssl) && otherTlvTypes.equals(i.otherTlvTypes);
    }

    @Override
    public int hashCode() {
      return Objects.hash(command, family, version, source, destination, alpn, authority, Arrays.hashCode(uniqueId),
          awsVpcEndpointId, azureLinkId, ssl, otherTlvTypes);
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  /**
   * The verdict on the bytes at the start of a buffer.
   *
   * @param kind what they are
   * @param length the header's length in bytes, for HEADER only (0 otherwise); the bytes after it
   *     belong to the client
   * @param info what the header says, for HEADER only
   * @param reason why the bytes are not an acceptable header, for INVALID only, for the log
   */
  public record Parse(Kind kind, int length, Info info, String reason) {
    private static final Parse NEED_MORE = new Parse(Kind.NEED_MORE, 0, null, null);

    static Parse needMore() {
      return NEED_MORE;
    }

    static Parse header(int length, Info info) {
      return new Parse(Kind.HEADER, length, info, null);
    }

    static Parse invalid(String reason) {
      return new Parse(Kind.INVALID, 0, null, reason);
    }

    @Override
    public String toString() {
      switch (kind) {
        case HEADER:
          return "HEADER(" + length + " bytes: " + info.describe() + ")";
        case INVALID:
          return "INVALID(" + reason + ")";
        default:
          return kind.name();
      }
    }
  }

  /**
   * Looks at {@code buf} in read mode from its position, without moving its position or limit.
   *
   * @param accepted the versions configuration allows; a header of another version is INVALID
   * @param maxV2Length the largest v2 {@code len} (the bytes after the 16 fixed ones) to accept;
   *     a larger one is INVALID as soon as the length field arrives, before its bytes do
   */
  public static Parse peek(ByteBuffer buf, Versions accepted, int maxV2Length) {
    Objects.requireNonNull(accepted, "accepted");
    if (maxV2Length < 0) {
      throw new IllegalArgumentException("maxV2Length " + maxV2Length + " is negative");
    }
    int start = buf.position();
    int available = buf.remaining();
    if (available == 0) {
      return Parse.needMore();
    }
    try {
      // Spec §2.2 "identifying the protocol version": v2 starts with its 12-byte signature, whose
      // first byte is CR; v1 starts with "PROXY". No PostgreSQL first packet starts with either.
      byte first = buf.get(start);
      if (first == V1Line.PREFIX_BYTES[0]) {
        if (accepted.acceptsV1()) {
          return V1Line.peek(buf, start, available);
        }
        if (startsWithPrefixOf(buf, start, available, V1Line.PREFIX_BYTES)) {
          return Parse.invalid("PROXY protocol v1 header, but only v2 is accepted");
        }
      } else if (first == V2Header.SIGNATURE[0]) {
        if (accepted.acceptsV2()) {
          return V2Header.peek(buf, start, available, maxV2Length);
        }
        if (startsWithPrefixOf(buf, start, available, V2Header.SIGNATURE)) {
          return Parse.invalid("PROXY protocol v2 header, but only v1 is accepted");
        }
      }
      return Parse.invalid(ForeignBytes.describe(buf, start, available));
    } catch (MalformedHeader e) {
      return Parse.invalid(e.getMessage());
    }
  }

  /** Whether the available bytes (up to the length of {@code expected}) match its start. */
  static boolean startsWithPrefixOf(ByteBuffer buf, int start, int available, byte[] expected) {
    for (int i = 0; i < Math.min(available, expected.length); i++) {
      if (buf.get(start + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }
}
