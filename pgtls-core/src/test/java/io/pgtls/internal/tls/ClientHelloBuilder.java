package io.pgtls.internal.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes well-formed ClientHellos (RFC 8446 §4.1.2) with whatever extensions a test wants,
 * including ones the JDK will not produce: names with underscores or a trailing dot, padding,
 * duplicates, truncated vectors inside a message whose outer lengths still add up.
 */
final class ClientHelloBuilder {
  private final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
  private int legacyVersion = 0x0303;
  private boolean withExtensionsBlock = true;

  /** A server_name extension with one host_name entry holding {@code host}'s UTF-8 bytes. */
  ClientHelloBuilder serverName(String host) {
    byte[] name = host.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    list.write(0);
    u16(list, name.length);
    list.writeBytes(name);
    return extension(ClientHelloFields.SERVER_NAME, vector16(list.toByteArray()));
  }

  ClientHelloBuilder alpn(String... protocols) {
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    for (String p : protocols) {
      byte[] b = p.getBytes(StandardCharsets.ISO_8859_1);
      list.write(b.length);
      list.writeBytes(b);
    }
    return extension(ClientHelloFields.ALPN, vector16(list.toByteArray()));
  }

  ClientHelloBuilder supportedVersions(int... versions) {
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    list.write(versions.length * 2);
    for (int v : versions) {
      u16(list, v);
    }
    return extension(ClientHelloFields.SUPPORTED_VERSIONS, list.toByteArray());
  }

  /** RFC 7685 padding: {@code length} zero bytes in extension 21. */
  ClientHelloBuilder padding(int length) {
    return extension(21, new byte[length]);
  }

  /**
   * What a JDK TLS 1.2 server with an EC P-256 certificate needs in order to answer: the suite
   * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 is always offered; this adds supported_groups
   * (secp256r1), ec_point_formats (uncompressed) and signature_algorithms (ecdsa_secp256r1_sha256).
   */
  ClientHelloBuilder tls12Essentials() {
    extension(10, new byte[] {0, 2, 0, 0x17});
    extension(11, new byte[] {1, 0});
    return extension(13, new byte[] {0, 2, 4, 3});
  }

  /** Any extension, its data as given. */
  ClientHelloBuilder extension(int type, byte[] data) {
    u16(extensions, type);
    u16(extensions, data.length);
    extensions.writeBytes(data);
    return this;
  }

  ClientHelloBuilder legacyVersion(int version) {
    legacyVersion = version;
    return this;
  }

  /** A TLS 1.2-style hello that ends after the compression methods (RFC 5246 §7.4.1.2). */
  ClientHelloBuilder noExtensionsBlock() {
    withExtensionsBlock = false;
    return this;
  }

  /** The handshake message: msg_type, uint24 length, body. */
  byte[] message() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    u16(body, legacyVersion);
    for (int i = 0; i < 32; i++) {
      body.write(i);
    }
    body.write(32);
    body.writeBytes(new byte[32]);
    u16(body, 2);
    u16(body, 0xC02B);
    body.write(1);
    body.write(0);
    if (withExtensionsBlock) {
      body.writeBytes(vector16(extensions.toByteArray()));
    }
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.write(ClientHelloPeek.CLIENT_HELLO);
    int n = body.size();
    m.write(n >>> 16);
    m.write(n >>> 8);
    m.write(n);
    m.writeBytes(body.toByteArray());
    return m.toByteArray();
  }

  /** The message in one handshake record. */
  byte[] record() {
    return Records.frame(message());
  }

  static byte[] vector16(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u16(out, data.length);
    out.writeBytes(data);
    return out.toByteArray();
  }

  static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }
}
