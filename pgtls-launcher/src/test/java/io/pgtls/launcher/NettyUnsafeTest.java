package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** netty's Unsafe switch is set only where Java would warn and nobody chose otherwise. */
class NettyUnsafeTest {
  @Test
  void java17AndJava23LeaveNettyAlone() {
    for (int feature : new int[] {17, 21, 23}) {
      Properties p = new Properties();
      assertThat(NettyUnsafe.settle(p, feature)).isNull();
      assertThat(p.getProperty("io.netty.noUnsafe")).isNull();
    }
  }

  @Test
  void java25WithoutTheJvmOptionKeepsNettyOffUnsafeAndSaysHowToAvoidIt() {
    Properties p = new Properties();
    assertThat(NettyUnsafe.settle(p, 25)).contains("--sun-misc-unsafe-memory-access=allow");
    assertThat(p.getProperty("io.netty.noUnsafe")).isEqualTo("true");
  }

  @Test
  void java25StartedWithTheOptionLetsNettyUseUnsafe() {
    Properties p = new Properties();
    p.setProperty("sun.misc.unsafe.memory.access", "allow");
    assertThat(NettyUnsafe.settle(p, 25)).isNull();
    assertThat(p.getProperty("io.netty.noUnsafe")).isNull();
  }

  @Test
  void anOperatorsOwnNettySettingIsKept() {
    Properties p = new Properties();
    p.setProperty("io.netty.noUnsafe", "false");
    assertThat(NettyUnsafe.settle(p, 25)).isNull();
    assertThat(p.getProperty("io.netty.noUnsafe")).isEqualTo("false");
  }
}
