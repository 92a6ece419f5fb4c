package io.pgtls.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.CertPathValidator;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {

  private static final int RFC822_NAME = 1;
  private static final int DNS_NAME = 2;
  private static final int URI = 6;
  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  private static final int IP_ADDRESS = 7;
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  /** An instance, not a registered provider: the JDK alone cannot decrypt PBES2 with AES here. */
  private static final BouncyCastleProvider BOUNCY = new BouncyCastleProvider();

  @TempDir static Path directory;
  @TempDir static Path otherDirectory;

  private static TestPki pki;
  private static TestPki otherPki;
  private static IssuedCertificate server;

  @BeforeAll
  static void createCas() {
    pki = TestPki.create(directory);
    otherPki = TestPki.create(otherDirectory);
    server = pki.localhostServer();
  }

  @Test
  void serverCertificateChainsToItsCaUnderJdkPkixValidation() throws Exception {
    validate(server.certificate(), pki.caCertificate());
  }

  @Test
  void serverCertificatePassesTheJdkTlsServerChecksOfKeyUsageAndExtendedKeyUsage()
      throws Exception {
    jdkTrustManager(pki.caCertificate())
        .checkServerTrusted(new X509Certificate[] {server.certificate()}, "ECDHE_RSA");
    IssuedCertificate ecServer = pki.server(TestPki.KeyType.EC, "ec-server", "localhost");
    jdkTrustManager(pki.caCertificate())
        .checkServerTrusted(new X509Certificate[] {ecServer.certificate()}, "ECDHE_ECDSA");
  }

  @Test
  void clientCertificateIsRejectedWhereAServerCertificateIsExpected() throws Exception {
    IssuedCertificate client = pki.client("alice");
    X509TrustManager trustManager = jdkTrustManager(pki.caCertificate());

    trustManager.checkClientTrusted(new X509Certificate[] {client.certificate()}, "RSA");
    assertThatThrownBy(
            () ->
                trustManager.checkServerTrusted(
                    new X509Certificate[] {client.certificate()}, "ECDHE_RSA"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void ipLiteralsBecomeIpAddressEntriesNotDnsNames() throws Exception {
    Collection<List<?>> names = server.certificate().getSubjectAlternativeNames();

    // The JDK prints IPv6 iPAddress entries in full form.
    assertThat(names)
        .containsExactlyInAnyOrder(
            List.of(DNS_NAME, "localhost"),
            List.of(IP_ADDRESS, "127.0.0.1"),
            List.of(IP_ADDRESS, "0:0:0:0:0:0:0:1"));
  }

  @Test
  void bracketedIpv6LiteralIsAnIpAddressEntry() throws Exception {
    IssuedCertificate bracketed = pki.server("v6", "[fe80::1]", "db.example.test");

    assertThat(bracketed.certificate().getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(IP_ADDRESS, "fe80:0:0:0:0:0:0:1"), List.of(DNS_NAME, "db.example.test"));
  }

  @Test
  void jdkHandshakeWithHostnameVerificationSucceedsOverIpv6LoopbackAndLocalhost()
      throws Exception {
    handshake(InetAddress.getByName("127.0.0.1"), "127.0.0.1");
    handshake(InetAddress.getByName("127.0.0.1"), "localhost");
    try {
      handshake(InetAddress.getByName("::1"), "::1");
    } catch (java.net.SocketException noIpv6) {
      assertThat(LoopbackPorts.ipv6LoopbackAvailable()).as("::1 can be bound").isFalse();
    }
  }

  @Test
  void certificateFromAnotherCaDoesNotChainToTheFirst() {
    IssuedCertificate foreign = otherPki.client("alice");

    assertThat(foreign.certificate().getIssuerX500Principal())
        .isNotEqualTo(pki.caCertificate().getSubjectX500Principal());
    assertThatThrownBy(() -> validate(foreign.certificate(), pki.caCertificate()))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void twoCasWithTheSameNameStillHaveDistinctSubjects(@TempDir Path a, @TempDir Path b) {
    TestPki first = TestPki.create(a, "same");
    TestPki second = TestPki.create(b, "same");

    assertThat(first.caCertificate().getSubjectX500Principal())
        .isNotEqualTo(second.caCertificate().getSubjectX500Principal());
    assertThatThrownBy(
            () -> validate(second.server("db", "localhost").certificate(), first.caCertificate()))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void caIsMarkedAsCaAndLeavesAreNot() {
    assertThat(pki.caCertificate().getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
    assertThat(pki.caCertificate().getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
  }

  @Test
  void leafCarriesCommonNameAndExtendedKeyUsageOfItsPurpose() throws Exception {
    IssuedCertificate client = pki.client("alice");

    assertThat(client.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=alice");
    assertThat(client.certificate().getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
    assertThat(server.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(server.certificate().getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
  }

  @Test
  void clientSubjectWrittenInRfc2253OrderReadsBackInTheSameOrderAsPostgresqlPrintsIt() throws Exception {
    IssuedCertificate client =
        pki.client(TestPki.ClientSpec.subject("CN=alice,OU=dba,O=Example Corp,C=DE"));

    assertThat(client.certificate().getSubjectX500Principal().getName())
        .isEqualTo("CN=alice,OU=dba,O=Example Corp,C=DE");
    assertThat(client.certificateFile().getFileName().toString()).startsWith("client-alice");
    validate(client.certificate(), pki.caCertificate());
  }

  @Test
  void clientWithSubjectAltNamesKeepsTheKeyUsagesLibpqNeeds() throws Exception {
    IssuedCertificate client =
        pki.client(
            TestPki.ClientSpec.commonName("svc")
                .dnsNames("svc.example.org")
                .emails("svc@example.org")
                .uris("spiffe://example.org/svc")
                .keyType(TestPki.KeyType.EC));

    assertThat(client.certificate().getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(DNS_NAME, "svc.example.org"),
            List.of(RFC822_NAME, "svc@example.org"),
            List.of(URI, "spiffe://example.org/svc"));
    assertThat(client.certificate().getCriticalExtensionOIDs()).doesNotContain(SUBJECT_ALT_NAME);
    assertThat(client.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=svc");
    assertThat(client.certificate().getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
    assertThat(client.certificate().getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(client.keyType()).isEqualTo(TestPki.KeyType.EC);
    validate(client.certificate(), pki.caCertificate());
  }

  @Test
  void clientWithEmptySubjectMarksItsSubjectAltNameCriticalAsRfc5280Requires() throws Exception {
    IssuedCertificate client = pki.client(TestPki.ClientSpec.subject("").emails("nobody@example.org"));

    assertThat(client.certificate().getSubjectX500Principal().getName()).isEmpty();
    assertThat(client.certificate().getCriticalExtensionOIDs()).contains(SUBJECT_ALT_NAME);
    assertThatThrownBy(() -> pki.client(TestPki.ClientSpec.subject("")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void serialNumberIsTheCertificatesAsACrlListsIt() {
    IssuedCertificate client = pki.client("serial");

    assertThat(client.serialNumber()).isEqualTo(client.certificate().getSerialNumber()).isPositive();
  }

  @Test
  void crlIsPemSignedByTheCaAndListsOnlyTheRevokedSerials() throws Exception {
    IssuedCertificate revoked = pki.client("revoked");
    IssuedCertificate kept = pki.client("kept");
    Instant nextUpdate = Instant.now().plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS);

    Path file = pki.crl(List.of(revoked), nextUpdate);

    assertThat(file.getParent()).isEqualTo(directory);
    assertThat(Files.readString(file)).startsWith("-----BEGIN X509 CRL-----");
    X509CRL crl = readCrl(file);
    crl.verify(pki.caCertificate().getPublicKey());
    assertThat(crl.getIssuerX500Principal()).isEqualTo(pki.caCertificate().getSubjectX500Principal());
    assertThat(crl.isRevoked(revoked.certificate())).isTrue();
    assertThat(crl.isRevoked(kept.certificate())).isFalse();
    assertThat(crl.getRevokedCertificate(revoked.serialNumber())).isNotNull();
    assertThat(crl.getNextUpdate().toInstant()).isEqualTo(nextUpdate);
    assertThat(crl.getThisUpdate().toInstant())
        .isBetween(Instant.now().minus(Duration.ofMinutes(2)), Instant.now().minus(Duration.ofSeconds(50)));
  }

  @Test
  void crlInDerIsTheSameKindOfCrl() throws Exception {
    IssuedCertificate revoked = pki.client("revoked-der");

    Path file = pki.crlDer(List.of(revoked), Instant.now().plus(Duration.ofDays(1)));

    assertThat(Files.readAllBytes(file)[0]).isEqualTo((byte) 0x30);
    X509CRL crl = readCrl(file);
    crl.verify(pki.caCertificate().getPublicKey());
    assertThat(crl.isRevoked(revoked.certificate())).isTrue();
  }

  @Test
  void eachCrlGetsAFileOfItsOwnAndANewCrlNumber() throws Exception {
    Path first = pki.crl(List.of(), Instant.now().plus(Duration.ofDays(1)));
    Path second = pki.crl(List.of(), Instant.now().plus(Duration.ofDays(1)));

    assertThat(first).isNotEqualTo(second);
    assertThat(readCrl(first).getExtensionValue("2.5.29.20"))
        .isNotEqualTo(readCrl(second).getExtensionValue("2.5.29.20"));
  }

  @Test
  void expiredCrlStillIssuedBeforeItsNextUpdate() throws Exception {
    Instant lastWeek = Instant.now().minus(Duration.ofDays(7));

    X509CRL crl = readCrl(pki.crl(List.of(), lastWeek));

    assertThat(crl.getThisUpdate().toInstant()).isBefore(crl.getNextUpdate().toInstant());
    assertThat(crl.getNextUpdate().toInstant()).isEqualTo(lastWeek.truncatedTo(ChronoUnit.SECONDS));
  }

  @Test
  void crlRefusesCertificatesOfAnotherCa() {
    IssuedCertificate foreign = otherPki.client("foreign");

    assertThatThrownBy(() -> pki.crl(List.of(foreign), Instant.now().plus(Duration.ofDays(1))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void opensslChecksTheCrlAsPostgresqlsSslCrlFileDoes() throws Exception {
    String openssl = onPath("openssl");
    assumeTrue(openssl != null, "openssl is not installed");
    IssuedCertificate revoked = pki.client("openssl-revoked");
    IssuedCertificate kept = pki.client("openssl-kept");
    Path current = pki.crl(List.of(revoked), Instant.now().plus(Duration.ofDays(1)));
    Path expired = pki.crl(List.of(), Instant.now().minus(Duration.ofHours(1)));

    // PostgreSQL sets X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL when ssl_crl_file is set.
    assertThat(opensslVerify(openssl, current, kept)).endsWith(": OK");
    assertThat(opensslVerify(openssl, current, revoked)).contains("certificate revoked");
    assertThat(opensslVerify(openssl, expired, kept)).contains("CRL has expired");
  }

  private static String opensslVerify(String openssl, Path crl, IssuedCertificate certificate) throws Exception {
    Process process =
        new ProcessBuilder(
                openssl, "verify", "-crl_check_all", "-CAfile", pki.caCertificateFile().toString(),
                "-CRLfile", crl.toString(), certificate.certificateFile().toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return output;
  }

  private static String onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  private static X509CRL readCrl(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
    }
  }

  @Test
  void ecLeafDoesNotClaimKeyEnciphermentWhichRfc5480Forbids() {
    boolean[] ec = pki.server(TestPki.KeyType.EC, "ec", "localhost").certificate().getKeyUsage();
    boolean[] rsa = server.certificate().getKeyUsage();

    assertThat(ec[0]).as("EC digitalSignature").isTrue();
    assertThat(ec[2]).as("EC keyEncipherment").isFalse();
    assertThat(rsa[0]).as("RSA digitalSignature").isTrue();
    assertThat(rsa[2]).as("RSA keyEncipherment").isTrue();
  }

  @Test
  void leafIsValidFromBeforeNowSoClockSkewDoesNotRejectIt() {
    long now = System.currentTimeMillis();

    assertThat(server.certificate().getNotBefore().getTime()).isLessThan(now - 30 * 60_000L);
    assertThat(server.certificate().getNotAfter().getTime()).isGreaterThan(now + 86_400_000L);
  }

  @Test
  void certificateFileHoldsTheLeafAloneAndChainFileAddsTheCa() throws Exception {
    assertThat(readCertificates(server.certificateFile())).containsExactly(server.certificate());
    assertThat(readCertificates(server.chainFile()))
        .containsExactly(server.certificate(), pki.caCertificate());
    assertThat(readCertificates(pki.caCertificateFile())).containsExactly(pki.caCertificate());
  }

  @Test
  void pkcs8PemKeyParsesBackToTheSameKey() throws Exception {
    assertThat(Files.readString(server.privateKeyFile())).startsWith("-----BEGIN PRIVATE KEY-----");
    Object parsed = parsePem(server.privateKeyFile());

    assertThat(parsed).isInstanceOf(PrivateKeyInfo.class);
    assertThat(new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parsed).getEncoded())
        .isEqualTo(server.privateKey().getEncoded());
  }

  @Test
  void pkcs8DerKeyIsWhatTheJdkKeyFactoryReads() throws Exception {
    PrivateKey key =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(server.pkcs8DerFile())));

    assertThat(key.getEncoded()).isEqualTo(server.privateKey().getEncoded());
  }

  @Test
  void rsaKeyIsWrittenInPkcs1AndEcKeyInSec1() throws Exception {
    IssuedCertificate ec = pki.client(TestPki.KeyType.EC, "bob");

    assertThat(Files.readString(server.rsaPkcs1KeyFile()))
        .startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(Files.readString(ec.ecSec1KeyFile())).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(keyOf((PEMKeyPair) parsePem(server.rsaPkcs1KeyFile())).getEncoded())
        .isEqualTo(server.privateKey().getEncoded());
    // SEC1 carries the curve and the public key inside, so compare the key, not its encoding.
    PEMKeyPair ecPair = (PEMKeyPair) parsePem(ec.ecSec1KeyFile());
    assertThat(((ECPrivateKey) keyOf(ecPair)).getS())
        .isEqualTo(((ECPrivateKey) ec.privateKey()).getS());
    assertThat(ecPair.getPrivateKeyInfo().getPrivateKeyAlgorithm().getParameters())
        .hasToString("1.2.840.10045.3.1.7");
    assertThat(new JcaPEMKeyConverter().getPublicKey(ecPair.getPublicKeyInfo()))
        .isEqualTo(ec.certificate().getPublicKey());
  }

  @Test
  void askingForTheEncodingOfTheOtherKeyTypeFails() {
    IssuedCertificate ec = pki.client(TestPki.KeyType.EC, "carol");

    assertThatThrownBy(ec::rsaPkcs1KeyFile).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(server::ecSec1KeyFile).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void encryptedKeyDecryptsOnlyWithItsPassword() throws Exception {
    Path file = server.encryptedPrivateKeyFile("pass".toCharArray());
    assertThat(Files.readString(file)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    PKCS8EncryptedPrivateKeyInfo encrypted = (PKCS8EncryptedPrivateKeyInfo) parsePem(file);

    PrivateKeyInfo decrypted =
        encrypted.decryptPrivateKeyInfo(
            new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BOUNCY).build("pass".toCharArray()));
    assertThat(new JcaPEMKeyConverter().getPrivateKey(decrypted).getEncoded())
        .isEqualTo(server.privateKey().getEncoded());
    assertThatThrownBy(
            () ->
                encrypted.decryptPrivateKeyInfo(
                    new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BOUNCY).build("wrong".toCharArray())))
        .isInstanceOf(Exception.class);
  }

  @Test
  void pkcs12HoldsKeyAndChainUnderTheGivenPassword() throws Exception {
    Path file = server.pkcs12File("store".toCharArray());
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, "store".toCharArray());
    }
    String alias = store.aliases().nextElement();

    assertThat(store.getKey(alias, "store".toCharArray()).getEncoded())
        .isEqualTo(server.privateKey().getEncoded());
    assertThat(store.getCertificateChain(alias))
        .containsExactly(server.certificate(), pki.caCertificate());
  }

  @Test
  void everyKeyFileIsMode0600BecauseLibpqRefusesGroupOrWorldReadableKeys() throws Exception {
    IssuedCertificate ec = pki.client(TestPki.KeyType.EC, "dave");
    List<Path> keyFiles =
        List.of(
            pki.caKeyFile(),
            server.privateKeyFile(),
            server.pkcs8DerFile(),
            server.rsaPkcs1KeyFile(),
            server.encryptedPrivateKeyFile("x".toCharArray()),
            server.pkcs12File("x".toCharArray()),
            ec.ecSec1KeyFile());

    for (Path keyFile : keyFiles) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
          .as(keyFile.toString())
          .isEqualTo("rw-------");
    }
  }

  @Test
  void issuingTheSameNameTwiceDoesNotOverwriteTheFirstFiles() throws Exception {
    IssuedCertificate first = pki.server("twice", "localhost");
    IssuedCertificate second = pki.server("twice", "localhost");

    assertThat(first.certificateFile()).isNotEqualTo(second.certificateFile());
    assertThat(readCertificates(first.certificateFile())).containsExactly(first.certificate());
  }

  @Test
  void allFilesAreWrittenUnderTheCaDirectory() {
    assertThat(pki.caCertificateFile().getParent()).isEqualTo(directory);
    assertThat(server.certificateFile().getParent()).isEqualTo(directory);
    assertThat(server.privateKeyFile().getParent()).isEqualTo(directory);
  }

  @Test
  void bouncyCastleIsNotRegisteredAsAGlobalProviderThatWouldChangeJdkTls() {
    pki.client("erin").pkcs12File("x".toCharArray());

    assertThat(Security.getProvider("BC")).isNull();
    assertThat(server.certificate().getClass().getName()).startsWith("sun.security.");
  }

  private static void validate(X509Certificate leaf, X509Certificate ca) throws Exception {
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
  }

  private static X509TrustManager jdkTrustManager(X509Certificate ca) throws Exception {
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(trustStore(ca));
    return (X509TrustManager) factory.getTrustManagers()[0];
  }

  private static KeyStore trustStore(X509Certificate ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    return trust;
  }

  /** A real JDK handshake with HTTPS-style endpoint identification against {@code hostname}. */
  private static void handshake(InetAddress bindAddress, String hostname) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX");
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(server.pkcs12File("k".toCharArray()))) {
      keyStore.load(in, "k".toCharArray());
    }
    keys.init(keyStore, "k".toCharArray());
    SSLContext serverContext = SSLContext.getInstance("TLS");
    serverContext.init(keys.getKeyManagers(), null, null);
    SSLContext clientContext = SSLContext.getInstance("TLS");
    clientContext.init(null, new javax.net.ssl.TrustManager[] {jdkTrustManager(pki.caCertificate())}, null);

    try (SSLServerSocket listener =
        (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket()) {
      listener.bind(new InetSocketAddress(bindAddress, 0));
      CompletableFuture<Void> accepted =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket accepted1 = (SSLSocket) listener.accept()) {
                  accepted1.startHandshake();
                  accepted1.getOutputStream().write(1);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      try (SSLSocket client =
          (SSLSocket) clientContext.getSocketFactory().createSocket(hostname, listener.getLocalPort())) {
        SSLParameters parameters = client.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        client.setSSLParameters(parameters);
        client.startHandshake();
        assertThat(client.getInputStream().read()).isEqualTo(1);
      }
      accepted.get(10, TimeUnit.SECONDS);
    }
  }

  private static List<X509Certificate> readCertificates(Path file) throws Exception {
    List<X509Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) certificate);
      }
    }
    return certificates;
  }

  private static Object parsePem(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object first = parser.readObject();
      assertThat(parser.readObject()).as("a second object in " + file).isNull();
      return first;
    }
  }

  private static PrivateKey keyOf(PEMKeyPair pair) throws IOException {
    return new JcaPEMKeyConverter().getPrivateKey(pair.getPrivateKeyInfo());
  }
}
