package io.pgtls.e2e;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import org.postgresql.PGConnection;

/** SHA-256 of what a COPY ... TO STDOUT streams, without holding the data. */
final class CopyChecksums {
  private CopyChecksums() {}

  static String sha256(Connection c, String copyToStdout) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    c.unwrap(PGConnection.class).getCopyAPI().copyOut(copyToStdout, new OutputStream() {
      @Override
      public void write(int b) {
        d.update((byte) b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        d.update(b, off, len);
      }
    });
    return HexFormat.of().formatHex(d.digest());
  }
}
