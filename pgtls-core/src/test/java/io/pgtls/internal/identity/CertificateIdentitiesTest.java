package io.pgtls.internal.identity;

import static io.pgtls.internal.identity.IdentityCertificates.certificate;
import static io.pgtls.internal.identity.IdentityCertificates.dns;
import static io.pgtls.internal.identity.IdentityCertificates.email;
import static io.pgtls.internal.identity.IdentityCertificates.subject;
import static io.pgtls.internal.identity.IdentityCertificates.uri;
import static io.pgtls.internal.identity.IdentityCertificates.withCn;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.ClientIdentity.Source;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.DERUniversalString;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;

class CertificateIdentitiesTest {

  @Test
  void theFirstCnCountsWhenTheSubjectHasTwo() {
    X509Certificate cert = certificate(subject().cn("first").cn("second").build());

    assertThat(CertificateIdentities.of(cert, Source.CN)).containsExactly("first");
    // RFC 2253 text lists the RDNs last first, so the CN the text starts with is not the one used.
    assertThat(CertificateIdentities.of(cert, Source.DN)).containsExactly("CN=second,CN=first");
  }

  @Test
  void theCnIsFoundAfterOtherAttributes() {
    X509Certificate cert = certificate(subject().attribute(BCStyle.C, "DE").attribute(BCStyle.O, "Acme")
        .cn("alice").attribute(BCStyle.OU, "eng").build());

    assertThat(CertificateIdentities.of(cert, Source.CN)).containsExactly("alice");
  }

  @Test
  void aCnWithANulHoldsNoIdentity() {
    X509Certificate cert = certificate(subject().cn("alice\0.evil.com").build());

    assertThat(CertificateIdentities.of(cert, Source.CN)).isEmpty();
  }

  @Test
  void aNulInTheFirstCnDoesNotFallBackToTheSecond() {
    X509Certificate cert = certificate(subject().cn("alice\0").cn("bob").build());

    assertThat(CertificateIdentities.of(cert, Source.CN)).isEmpty();
  }

  @Test
  void anEmptyCnHoldsNoIdentity() {
    assertThat(CertificateIdentities.of(withCn(""), Source.CN)).isEmpty();
  }

  @Test
  void noCnNoIdentity() {
    X509Certificate cert = certificate(subject().attribute(BCStyle.O, "Acme").build(), dns("alice.example.com"));

    assertThat(CertificateIdentities.of(cert, Source.CN)).isEmpty();
    assertThat(CertificateIdentities.of(cert, Source.DN)).containsExactly("O=Acme");
  }

  @Test
  void anEmptySubjectHoldsNeitherCnNorDn() {
    X509Certificate cert = certificate(subject().build(), uri("spiffe://example.org/ns/app"));

    assertThat(CertificateIdentities.of(cert, Source.CN)).isEmpty();
    assertThat(CertificateIdentities.of(cert, Source.DN)).isEmpty();
  }

  @Test
  void cnStringTypesAreDecoded() {
    assertThat(cn(new DERPrintableString("alice"))).containsExactly("alice");
    assertThat(cn(new DERIA5String("alice"))).containsExactly("alice");
    assertThat(cn(new DERT61String("Jos\u00e9".getBytes(StandardCharsets.ISO_8859_1)))).containsExactly("Jos\u00e9");
    assertThat(cn(new DERBMPString("J\u00fcrgen"))).containsExactly("J\u00fcrgen");
    assertThat(cn(new DERUniversalString("\uD83D\uDE00x".getBytes(Charset.forName("UTF-32BE")))))
        .containsExactly("\uD83D\uDE00x");
    assertThat(CertificateIdentities.of(withCn("Ren\u00e9e \u6771\u4eac"), Source.CN))
        .containsExactly("Ren\u00e9e \u6771\u4eac");
  }

  @Test
  void cnIsCaseSensitiveTextNotNormalised() {
    assertThat(CertificateIdentities.of(withCn(" Alice "), Source.CN)).containsExactly(" Alice ");
  }

  @Test
  void malformedSubjectDerHoldsNoCnRatherThanAnError() {
    // SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "al" } } } with the inner lengths cut.
    byte[] good = {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x02, 'a', 'l'};
    assertThat(SubjectCommonName.of(good)).contains("al");
    byte[] truncated = Arrays.copyOf(good, good.length - 1);
    assertThat(SubjectCommonName.of(truncated)).isEmpty();
    byte[] indefinite = good.clone();
    indefinite[1] = (byte) 0x80;
    assertThat(SubjectCommonName.of(indefinite)).isEmpty();
    assertThat(SubjectCommonName.of(new byte[0])).isEmpty();
    byte[] badUtf8 = good.clone();
    badUtf8[13] = (byte) 0xC3;
    assertThat(SubjectCommonName.of(badUtf8)).isEmpty();
  }

  @Test
  void dnIdentityIsRfc2253() {
    X509Certificate cert = certificate(subject().attribute(BCStyle.C, "US").attribute(BCStyle.O, "Acme, Inc.")
        .attribute(BCStyle.OU, "eng").cn("fred").build());

    assertThat(CertificateIdentities.of(cert, Source.DN)).containsExactly("CN=fred,OU=eng,O=Acme\\, Inc.,C=US");
  }

  @Test
  void dnWritesAnEmailAddressAttributeAsItsOid() {
    X509Certificate cert = certificate(
        subject().cn("fred").attribute(BCStyle.EmailAddress, "fred@example.com").build());

    // OpenSSL (and so PostgreSQL) would write emailAddress=fred@example.com,CN=fred.
    assertThat(CertificateIdentities.of(cert, Source.DN))
        .containsExactly("1.2.840.113549.1.9.1=#161066726564406578616d706c652e636f6d,CN=fred");
  }

  @Test
  void subjectAltNamesOfEachTypeInCertificateOrder() {
    X509Certificate cert = certificate(subject().cn("svc").build(), dns("b.example.com"),
        email("alice@example.com"), uri("spiffe://example.org/ns/app"), dns("a.example.com"),
        email("alice@corp.example.com"));

    assertThat(CertificateIdentities.of(cert, Source.SAN_DNS)).containsExactly("b.example.com", "a.example.com");
    assertThat(CertificateIdentities.of(cert, Source.SAN_EMAIL))
        .containsExactly("alice@example.com", "alice@corp.example.com");
    assertThat(CertificateIdentities.of(cert, Source.SAN_URI)).containsExactly("spiffe://example.org/ns/app");
  }

  @Test
  void noSubjectAltNamesNoIdentities() {
    assertThat(CertificateIdentities.of(withCn("alice"), Source.SAN_DNS)).isEmpty();
    assertThat(CertificateIdentities.of(withCn("alice"), Source.SAN_EMAIL)).isEmpty();
    assertThat(CertificateIdentities.of(withCn("alice"), Source.SAN_URI)).isEmpty();
  }

  @Test
  void aWildcardDnsNameIsTheLiteralString() {
    X509Certificate cert = certificate(subject().build(), dns("*.example.com"));

    assertThat(CertificateIdentities.of(cert, Source.SAN_DNS)).containsExactly("*.example.com");
  }

  private static List<String> cn(ASN1Encodable value) {
    return CertificateIdentities.of(certificate(subject().cn(value).build()), Source.CN);
  }
}
