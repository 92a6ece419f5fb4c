package io.pgtls.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/** Key managers that present one certificate chain and its key. */
final class IdentityKeyManagers {

  private static final String ALIAS = "identity";

  private IdentityKeyManagers() {
  }

  static KeyManager[] of(TlsMaterial identity) {
    return factory(identity).getKeyManagers();
  }

  /** The initialised factory behind {@link #of}: what engines that take a factory (netty's) are given. */
  static KeyManagerFactory factory(TlsMaterial identity) {
    // Protects the key only inside this in-memory keystore, which never leaves this method.
    char[] password = "pgtls-in-memory".toCharArray();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, identity.privateKey(), password,
          identity.chain().toArray(new Certificate[0]));
      // JDK quirk: the "PKIX" KeyManagerFactory keeps entries behind soft references and
      // re-reads them from the keystore when memory is tight; for PKCS12 that means a
      // password-based decryption (thousands of PBKDF2 rounds) inside a handshake.
      // "SunX509" decrypts the single key once, here. With one identity, PKIX's alias
      // ranking has nothing to choose between anyway.
      KeyManagerFactory factory = KeyManagerFactory.getInstance("SunX509");
      factory.init(store, password);
      return factory;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a key manager for " + identity + ": " + e.getMessage(), e);
    }
  }
}
