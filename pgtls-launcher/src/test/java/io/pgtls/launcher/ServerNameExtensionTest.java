package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The JVM property that lets server names such as pg_primary reach pgtls; see {@link ServerNameExtension}. */
class ServerNameExtensionTest {
  private static Properties with(String value) {
    Properties p = new Properties();
    if (value != null) {
      p.setProperty(ServerNameExtension.PROPERTY, value);
    }
    return p;
  }

  @Test
  void unsetPropertyIsSetToServerName() {
    Properties p = with(null);
    String said = ServerNameExtension.disable(p);
    assertThat(p.getProperty(ServerNameExtension.PROPERTY)).isEqualTo("server_name");
    assertThat(said).startsWith("jdk.tls.server.disableExtensions set to 'server_name': ");
  }

  @Test
  void operatorsOwnListIsKeptAndServerNameAppendedNotReplaced() {
    Properties p = with("status_request, renegotiation_info");
    String said = ServerNameExtension.disable(p);
    assertThat(p.getProperty(ServerNameExtension.PROPERTY)).isEqualTo("status_request,renegotiation_info,server_name");
    assertThat(said).startsWith("jdk.tls.server.disableExtensions was 'status_request, renegotiation_info'; "
        + "server_name appended, now 'status_request,renegotiation_info,server_name'");
  }

  @Test
  void serverNameAlreadyListedInQuotesIsLeftAsTheOperatorWroteIt() {
    Properties p = with("\"status_request, server_name\"");
    String said = ServerNameExtension.disable(p);
    assertThat(p.getProperty(ServerNameExtension.PROPERTY)).isEqualTo("\"status_request, server_name\"");
    assertThat(said).endsWith("which already includes server_name");
  }

  @Test
  void blankPropertyIsSetNotLeftWithALeadingComma() {
    Properties p = with(" ");
    ServerNameExtension.disable(p);
    assertThat(p.getProperty(ServerNameExtension.PROPERTY)).isEqualTo("server_name");
  }
}
