package io.pgtls;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** {@link ClientIdentity} equality: the map file by its path, inline lines in order, every field. */
class ClientIdentityEqualityTest {
  private static final Path MAP = Path.of("/etc/pgtls/pg_ident.conf");

  @TestFactory
  Stream<DynamicTest> anIdentityWithAMapFile() {
    return EqualityTable.of(ClientIdentity.class,
            () -> ClientIdentity.from(ClientIdentity.Source.CN).mapFile(MAP, "certs").backendSetting("pgtls.id"))
        .same("with its backend setting first", () -> ClientIdentity.from(ClientIdentity.Source.CN)
            .backendSetting("pgtls.id").mapFile(MAP, "certs"))
        .differs("source", "DN", () -> ClientIdentity.from(ClientIdentity.Source.DN).mapFile(MAP, "certs")
            .backendSetting("pgtls.id"))
        .differs("mapFile", "another path", () -> ClientIdentity.from(ClientIdentity.Source.CN)
            .mapFile(Path.of("/etc/pgtls/other.conf"), "certs").backendSetting("pgtls.id"))
        .differs("mapName", "another map", () -> ClientIdentity.from(ClientIdentity.Source.CN)
            .mapFile(MAP, "other").backendSetting("pgtls.id"))
        .differs("backendSetting", "left out", () -> ClientIdentity.from(ClientIdentity.Source.CN)
            .mapFile(MAP, "certs"))
        .differs("backendSetting", "another name", () -> ClientIdentity.from(ClientIdentity.Source.CN)
            .mapFile(MAP, "certs").backendSetting("pgtls.identity"))
        .changedElsewhere("mapLines", "anIdentityWithMapLines")
        .tests();
  }

  @TestFactory
  Stream<DynamicTest> anIdentityWithMapLines() {
    return EqualityTable.of(ClientIdentity.class, () -> ClientIdentity.from(ClientIdentity.Source.SAN_URI)
            .mapLines(List.of("certs spiffe://a/app app", "certs spiffe://a/ops ops"), "certs"))
        .differs("mapLines", "one fewer", () -> ClientIdentity.from(ClientIdentity.Source.SAN_URI)
            .mapLines(List.of("certs spiffe://a/app app"), "certs"))
        .differs("mapLines", "in another order", () -> ClientIdentity.from(ClientIdentity.Source.SAN_URI)
            .mapLines(List.of("certs spiffe://a/ops ops", "certs spiffe://a/app app"), "certs"))
        .differs("mapFile", "a file of that map instead", () -> ClientIdentity.from(ClientIdentity.Source.SAN_URI)
            .mapFile(MAP, "certs"))
        .differs("mapName", "no map", () -> ClientIdentity.from(ClientIdentity.Source.SAN_URI))
        .differs("source", "SAN_DNS", () -> ClientIdentity.from(ClientIdentity.Source.SAN_DNS)
            .mapLines(List.of("certs spiffe://a/app app", "certs spiffe://a/ops ops"), "certs"))
        .differs("backendSetting", "set", () -> ClientIdentity.from(ClientIdentity.Source.SAN_URI)
            .mapLines(List.of("certs spiffe://a/app app", "certs spiffe://a/ops ops"), "certs")
            .backendSetting("pgtls.id"))
        .tests();
  }
}
