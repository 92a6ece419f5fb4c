package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class SessionTicketsTest {
  @Test
  void unsetPropertyBecomesFalseSoTls12GetsNoTicketEither() {
    Properties p = new Properties();
    assertThat(SessionTickets.stateful(p)).contains("set to \"false\"");
    assertThat(p.getProperty(SessionTickets.PROPERTY)).isEqualTo("false");
  }

  @Test
  void operatorsOwnValueIsKeptAndNamed() {
    Properties p = new Properties();
    p.setProperty(SessionTickets.PROPERTY, "true");
    assertThat(SessionTickets.stateful(p)).contains("is \"true\" (given)").contains("may get session tickets");
    assertThat(p.getProperty(SessionTickets.PROPERTY)).isEqualTo("true");
  }
}
