package io.pgtls.internal.identity;

import static io.pgtls.internal.identity.IdentityCertificates.certificate;
import static io.pgtls.internal.identity.IdentityCertificates.dns;
import static io.pgtls.internal.identity.IdentityCertificates.email;
import static io.pgtls.internal.identity.IdentityCertificates.subject;
import static io.pgtls.internal.identity.IdentityCertificates.uri;
import static io.pgtls.internal.identity.IdentityCertificates.withCn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ClientCertificates.Mode;
import io.pgtls.ClientIdentity;
import io.pgtls.ClientIdentity.Source;
import io.pgtls.internal.identity.IdentityCheck.Result;
import io.pgtls.internal.identity.IdentityCheck.Verdict;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityCheckTest {

  private static IdentityCheck required(ClientIdentity identity) {
    return IdentityCheck.compile(Mode.REQUIRED, identity);
  }

  private static IdentityCheck mapped(Source source, String... lines) {
    return required(ClientIdentity.from(source).mapLines(List.of(lines), "certs"));
  }

  @Test
  void requiredWithoutCertificateIsRefusedOptionalIsAllowed() {
    ClientIdentity cn = ClientIdentity.from(Source.CN);

    assertThat(IdentityCheck.compile(Mode.REQUIRED, cn).check(null, "alice"))
        .isEqualTo(new Verdict(Result.NO_CERTIFICATE, "", "", "no client certificate, and this route requires one"));
    assertThat(IdentityCheck.compile(Mode.REQUIRED, null).check(null, "alice").result())
        .isEqualTo(Result.NO_CERTIFICATE);
    // On an optional route the client goes on, to password authentication at the backend, say.
    assertThat(IdentityCheck.compile(Mode.OPTIONAL, cn).check(null, "alice"))
        .isEqualTo(new Verdict(Result.ALLOWED, "", "", "no client certificate (optional on this route)"));
  }

  @Test
  void optionalStillChecksACertificateThatIsSent() {
    IdentityCheck check = IdentityCheck.compile(Mode.OPTIONAL, ClientIdentity.from(Source.CN));

    assertThat(check.check(withCn("alice"), "bob").result()).isEqualTo(Result.NOT_AUTHORISED);
  }

  @Test
  void withoutARuleAnyUserIsAllowedAndTheCnOrDnIsLogged() {
    IdentityCheck check = required(null);

    assertThat(check.check(withCn("alice"), "postgres"))
        .isEqualTo(new Verdict(Result.ALLOWED, "alice", "", "any user (no identity rule on this route)"));
    X509Certificate noCn = certificate(subject().attribute(BCStyle.O, "Acme").attribute(BCStyle.OU, "eng").build());
    assertThat(check.check(noCn, "postgres").identity()).isEqualTo("OU=eng,O=Acme");
    assertThat(check.source()).isNull();
    assertThat(check.backendSetting()).isNull();
  }

  @Test
  void cnMustEqualTheUserWithoutAMap() {
    IdentityCheck check = required(ClientIdentity.from(Source.CN));

    assertThat(check.check(withCn("alice"), "alice"))
        .isEqualTo(new Verdict(Result.ALLOWED, "alice", "", "identity \"alice\" (CN) equals the user"));
    assertThat(check.check(withCn("alice"), "bob").result()).isEqualTo(Result.NOT_AUTHORISED);
  }

  @Test
  void caseMattersAliceIsNotAliceUpperCase() {
    IdentityCheck check = required(ClientIdentity.from(Source.CN));

    assertThat(check.check(withCn("Alice"), "alice")).isEqualTo(new Verdict(Result.NOT_AUTHORISED, "Alice", "",
        "identity \"Alice\" (CN) does not equal user \"alice\" (case-sensitive)"));
  }

  @Test
  void aCertificateWithoutAnIdentityOfTheSourceIsRefusedNamingTheSource() {
    X509Certificate noCn = certificate(subject().attribute(BCStyle.O, "Acme").build(), dns("alice"));

    assertThat(required(ClientIdentity.from(Source.CN)).check(noCn, "alice"))
        .isEqualTo(new Verdict(Result.NOT_AUTHORISED, "", "", "the client certificate has no CN"));
    assertThat(mapped(Source.SAN_EMAIL, "certs /^(.*)@example\\.com$ \\1").check(noCn, "alice").reason())
        .isEqualTo("the client certificate has no subjectAltName rfc822Name (e-mail address)");
    assertThat(required(ClientIdentity.from(Source.SAN_URI)).check(withCn("alice"), "alice").reason())
        .isEqualTo("the client certificate has no subjectAltName URI");
  }

  @Test
  void aCnWithANulIsRefusedEvenWhenItsPrefixIsTheUser() {
    Verdict verdict = required(ClientIdentity.from(Source.CN)).check(withCn("alice\0.evil.com"), "alice");

    assertThat(verdict.result()).isEqualTo(Result.NOT_AUTHORISED);
    assertThat(verdict.reason()).isEqualTo("the client certificate has no CN");
  }

  @Test
  void regexMapsAliceAtExampleComToAliceButNotAliceAtEvilCom() {
    IdentityCheck check = mapped(Source.SAN_EMAIL, "certs /^(.*)@example\\.com$ \\1");

    assertThat(check.check(certificate(subject().cn("Alice").build(), email("alice@example.com")), "alice"))
        .isEqualTo(new Verdict(Result.ALLOWED, "alice@example.com", "map_lines:1: certs /^(.*)@example\\.com$ \\1",
            "identity \"alice@example.com\" (SAN_EMAIL) is paired with user \"alice\" by map 'certs'"));
    assertThat(check.check(certificate(subject().cn("Alice").build(), email("alice@evil.com")), "alice"))
        .isEqualTo(new Verdict(Result.NOT_AUTHORISED, "alice@evil.com", "",
            "identity \"alice@evil.com\" (SAN_EMAIL) has no line in map 'certs' pairing it with user \"alice\""));
  }

  @Test
  void aWildcardSanIsNotAPatternForTheUserName() {
    X509Certificate wildcard = certificate(subject().cn("svc").build(), dns("*.example.com"));

    assertThat(required(ClientIdentity.from(Source.SAN_DNS)).check(wildcard, "a.example.com").result())
        .isEqualTo(Result.NOT_AUTHORISED);
    assertThat(mapped(Source.SAN_DNS, "certs /^(.*)$ \\1").check(wildcard, "a.example.com").result())
        .isEqualTo(Result.NOT_AUTHORISED);
    // It is only ever the literal string, which no sensible user is called.
    assertThat(required(ClientIdentity.from(Source.SAN_DNS)).check(wildcard, "*.example.com").result())
        .isEqualTo(Result.ALLOWED);
  }

  @Test
  void anyOfSeveralSansMayPairAndTheFirstInCertificateOrderIsAllowed() {
    X509Certificate cert = certificate(subject().cn("svc").build(), dns("web.example.com"), dns("alice"),
        dns("bob"));
    IdentityCheck check = required(ClientIdentity.from(Source.SAN_DNS));

    assertThat(check.check(cert, "bob").identity()).isEqualTo("bob");
    assertThat(check.check(cert, "carol")).isEqualTo(new Verdict(Result.NOT_AUTHORISED,
        "web.example.com, alice, bob", "",
        "none of the identities \"web.example.com\", \"alice\", \"bob\" (SAN_DNS) equals user \"carol\""
            + " (case-sensitive)"));

    IdentityCheck viaMap = mapped(Source.SAN_DNS, "certs /^(.*)\\.example\\.com$ \\1", "certs alice all");
    assertThat(viaMap.check(cert, "web").mapLine()).isEqualTo("map_lines:1: certs /^(.*)\\.example\\.com$ \\1");
    assertThat(viaMap.check(cert, "web").identity()).isEqualTo("web.example.com");
    assertThat(viaMap.check(cert, "postgres").mapLine()).isEqualTo("map_lines:2: certs alice all");
    assertThat(viaMap.check(cert, "postgres").identity()).isEqualTo("alice");
    assertThat(viaMap.check(certificate(subject().cn("x").build(), dns("a"), dns("b")), "c").reason())
        .isEqualTo("none of the identities \"a\", \"b\" (SAN_DNS) has a line in map 'certs'"
            + " pairing it with user \"c\"");
  }

  @Test
  void sanUriCarriesASpiffeId() {
    X509Certificate workload = certificate(subject().build(), uri("spiffe://example.org/ns/prod/sa/billing"));
    IdentityCheck check = mapped(Source.SAN_URI, "certs /^spiffe://example\\.org/ns/prod/sa/([a-z]+)$ app_\\1");

    assertThat(check.check(workload, "app_billing").identity()).isEqualTo("spiffe://example.org/ns/prod/sa/billing");
    assertThat(check.check(workload, "billing").result()).isEqualTo(Result.NOT_AUTHORISED);
    X509Certificate staging = certificate(subject().build(), uri("spiffe://example.org/ns/staging/sa/billing"));
    assertThat(check.check(staging, "app_billing").result()).isEqualTo(Result.NOT_AUTHORISED);
  }

  @Test
  void dnMapLinesQuoteTheCommasOfTheDn() {
    IdentityCheck check = mapped(Source.DN, "certs \"/^CN=([^,]+),OU=eng,O=Acme$\" \\1");
    X509Certificate eng = certificate(subject().attribute(BCStyle.O, "Acme").attribute(BCStyle.OU, "eng")
        .cn("fred").build());
    X509Certificate sales = certificate(subject().attribute(BCStyle.O, "Acme").attribute(BCStyle.OU, "sales")
        .cn("fred").build());

    assertThat(check.check(eng, "fred").identity()).isEqualTo("CN=fred,OU=eng,O=Acme");
    assertThat(check.check(sales, "fred").result()).isEqualTo(Result.NOT_AUTHORISED);
  }

  @Test
  void namesInReasonsCannotBreakTheLogLine() {
    Verdict verdict = required(ClientIdentity.from(Source.CN)).check(withCn("bob\nFATAL: \"x\""), "alice");

    assertThat(verdict.reason())
        .isEqualTo("identity \"bob\\nFATAL: \\\"x\\\"\" (CN) does not equal user \"alice\" (case-sensitive)");
    assertThat(verdict.toString()).doesNotContain("\n");
  }

  @Test
  void mapErrorsSurfaceWhenTheCheckIsCompiled(@TempDir Path dir) {
    assertThatThrownBy(() -> mapped(Source.CN, "certs alice +admins"))
        .isInstanceOf(IdentMapException.class)
        .hasMessageStartingWith("map_lines:1: ");
    Path missing = dir.resolve("pg_ident.conf");
    assertThatThrownBy(() -> required(ClientIdentity.from(Source.CN).mapFile(missing, "certs")))
        .isInstanceOf(IdentMapException.class)
        .hasMessage(missing + ": cannot read the map file: file does not exist");
  }

  @Test
  void exposesTheSourceAndTheBackendSettingAndPrintsOnOneLine() {
    IdentityCheck check = required(ClientIdentity.from(Source.SAN_EMAIL)
        .mapLines(List.of("certs /^(.*)@example\\.com$ \\1"), "certs").backendSetting("pgtls.client_identity"));

    assertThat(check.source()).isEqualTo(Source.SAN_EMAIL);
    assertThat(check.backendSetting()).isEqualTo("pgtls.client_identity");
    assertThat(check).hasToString(
        "IdentityCheck{REQUIRED SAN_EMAIL via map 'certs' in map_lines backendSetting=pgtls.client_identity}");
    assertThat(required(null)).hasToString("IdentityCheck{REQUIRED any user}");
    assertThat(check.check(withCn("x"), "alice").toString()).doesNotContain("\n");
  }
}
