package io.pgtls.benchmarks.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartTest {
  private static final String HEADER = "metric\tpath\tratio\tbetter";

  @Test
  void aPathThatCouldNotRunLeavesAGapInsteadOfFailingTheChart() {
    Chart.Results results = Chart.Results.parse(List.of(HEADER,
        "pgbench -S -c16 tps\tdirect\t1.000\thigher",
        "pgbench -S -c16 tps\tpgtls TLS→TLS\t0.590\thigher",
        "COPY out 1 GB time\tdirect\t1.000\tlower"));
    assertThat(results.paths).containsExactly("direct", "pgtls TLS→TLS");
    assertThat(results.ratio("COPY out 1 GB time", "pgtls TLS→TLS")).isNull();

    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new Chart(results, "title").render();
    assertThat(image.getWidth()).isEqualTo(1200);
    assertThat(image.getHeight()).isEqualTo(600);
  }

  @Test
  void aRatioThatIsNotANumberNamesItsLine() {
    // awk prints "nan" for a median of nothing; run.sh drops such rows, anything else must say where.
    assertThatThrownBy(() -> Chart.Results.parse(List.of(HEADER,
        "pgbench -S -c16 tps\tdirect\t1.000\thigher",
        "pgbench -S -c16 tps\tstunnel\tnan\thigher")))
        .hasMessageContaining("line 3");
  }

  @Test
  void oneMetricCannotBeBothHigherAndLowerIsBetter() {
    assertThatThrownBy(() -> Chart.Results.parse(List.of(HEADER,
        "new connections/s\tdirect\t1.000\thigher",
        "new connections/s\tPgBouncer\t0.820\tlower")))
        .hasMessageContaining("line 3");
  }

  @Test
  void metricsWithAUnitGetPanelsOfTheirOwnBesideTheRatios() {
    // run.sh's proxy CPU lines: absolute values, and none for the direct connection.
    Chart.Results results = Chart.Results.parse(List.of("metric\tpath\tvalue\tbetter\tunit",
        "pgbench -S -c16 tps\tdirect\t1.000\thigher",
        "pgbench -S -c16 tps\tpgtls TLS→TLS\t0.590\thigher",
        "proxy CPU per transaction\tpgtls TLS→TLS\t61.5\tlower\tµs",
        "proxy CPU per transaction\tHAProxy\t33.0\tlower\tµs",
        "proxy CPU per new connection\tpgtls TLS→TLS\t8.4\tlower\tms"));
    assertThat(results.ratioMetrics()).containsExactly("pgbench -S -c16 tps");
    assertThat(results.unitMetrics()).containsExactly("proxy CPU per transaction", "proxy CPU per new connection");
    assertThat(results.units).containsEntry("proxy CPU per transaction", "µs");
    assertThat(results.pathsWithValues("proxy CPU per transaction")).containsExactly("pgtls TLS→TLS", "HAProxy");
    assertThat(results.paths).containsExactly("direct", "pgtls TLS→TLS", "HAProxy");
    assertThat(results.highest(results.ratioMetrics())).isEqualTo(1.0);

    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new Chart(results, "title").render();
    assertThat(image.getWidth()).isEqualTo(1200 + 2 * 300);
    assertThat(image.getHeight()).isEqualTo(600);
  }

  @Test
  void oneMetricCannotBeBothARatioAndAQuantity() {
    assertThatThrownBy(() -> Chart.Results.parse(List.of(HEADER,
        "proxy CPU per transaction\tpgtls\t61.5\tlower\tµs",
        "proxy CPU per transaction\tHAProxy\t0.5\tlower")))
        .hasMessageContaining("line 3");
  }
}
