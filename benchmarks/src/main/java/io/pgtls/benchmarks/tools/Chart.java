package io.pgtls.benchmarks.tools;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the end-to-end benchmark results as a PNG of grouped bars: one group per metric, one bar
 * per path. On the left, the metrics given as ratios to the direct connection, on one axis; to
 * their right, one panel per metric given in a unit of its own (the proxies' CPU per transaction
 * and per new connection), each on its own axis.
 *
 * <pre>
 * Chart --in results.tsv --out chart.png [--title "..."]
 * </pre>
 *
 * <p>The TSV has a header line, then {@code metric, path, value[, better[, unit]]} per line, tab
 * separated; {@code better} is {@code higher} or {@code lower} and is printed under the metric's
 * label; without a {@code unit} the value is a ratio to the direct connection, with one (such as
 * {@code µs}) it is a quantity in that unit. Metrics and paths keep their order of first
 * appearance, each path its colour; a path with no line for a ratio metric (it could not run) has
 * a gap there, and a metric with a unit has bars only for the paths that have a value (the direct
 * connection has no proxy CPU).
 */
public final class Chart {
  /** The width of the ratio metrics' part, the whole image when there is no metric with a unit. */
  private static final int RATIO_WIDTH = 1200;
  /** What each metric with a unit adds to the width: a panel with its own axis. */
  private static final int PANEL_WIDTH = 300;
  private static final int HEIGHT = 600;
  private static final int PLOT_LEFT = 90;
  private static final int PLOT_RIGHT = RATIO_WIDTH - 30;
  private static final int PLOT_TOP = 100;
  private static final int PLOT_BOTTOM = HEIGHT - 80;
  private static final Color INK = new Color(0x33, 0x33, 0x33);
  private static final Color MUTED = new Color(0x77, 0x77, 0x77);
  private static final Color GRID = new Color(0xe4, 0xe4, 0xe4);
  /** By order of first appearance; the first path is the direct connection, hence grey. */
  private static final Color[] PALETTE = {
      new Color(0x9a, 0x9a, 0x9a), new Color(0x4e, 0x79, 0xa7), new Color(0x76, 0xb7, 0xb2),
      new Color(0xf2, 0x8e, 0x2b), new Color(0xe1, 0x57, 0x59), new Color(0x59, 0xa1, 0x4f),
      new Color(0xb0, 0x7a, 0xa1), new Color(0xed, 0xc9, 0x48), new Color(0x9c, 0x75, 0x5f)};

  private final Results results;
  private final String title;
  private final int width;

  Chart(Results results, String title) {
    this.results = results;
    this.title = title;
    this.width = RATIO_WIDTH + PANEL_WIDTH * results.unitMetrics().size();
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i + 1 < args.length && args[i].startsWith("--"); i += 2) {
      flags.put(args[i].substring(2), args[i + 1]);
    }
    if (args.length % 2 != 0 || !flags.containsKey("in") || !flags.containsKey("out")) {
      System.err.println("usage: Chart --in results.tsv --out chart.png [--title \"...\"]");
      System.exit(2);
    }
    Results results;
    try {
      results = Results.parse(Files.readAllLines(Path.of(flags.get("in")), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      System.err.println("Chart: " + flags.get("in") + ": " + e.getMessage());
      System.exit(1);
      return;
    }
    // Off screen only: no display is wanted, nor opened should DISPLAY be set.
    System.setProperty("java.awt.headless", "true");
    String title = flags.getOrDefault("title", "Relative to a direct connection");
    ImageIO.write(new Chart(results, title).render(), "png", new File(flags.get("out")));
  }

  BufferedImage render() {
    BufferedImage image = new BufferedImage(width, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, HEIGHT);

    g.setColor(INK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
    centre(g, title, width / 2.0, 36);
    legend(g);
    List<String> ratios = results.ratioMetrics();
    if (!ratios.isEmpty()) {
      double top = axis(g, PLOT_LEFT, PLOT_RIGHT, results.highest(ratios), 1.0, "× direct");
      bars(g, PLOT_LEFT, PLOT_RIGHT, ratios, top, true);
    }
    List<String> units = results.unitMetrics();
    for (int m = 0; m < units.size(); m++) {
      String metric = units.get(m);
      int left = RATIO_WIDTH + m * PANEL_WIDTH + 60;
      int right = RATIO_WIDTH + (m + 1) * PANEL_WIDTH - 20;
      double top = axis(g, left, right, results.highest(List.of(metric)), 0, results.units.get(metric));
      bars(g, left, right, List.of(metric), top, false);
    }
    g.dispose();
    return image;
  }

  /** One row of swatches and path names under the title, in a smaller font if that is too wide. */
  private void legend(Graphics2D g) {
    int swatch = 14;
    int gap;
    FontMetrics fm;
    double width;
    int size = 14;
    while (true) {
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
      fm = g.getFontMetrics();
      gap = 2 * size;
      width = -gap;
      for (String path : results.paths) {
        width += swatch + 6 + fm.stringWidth(path) + gap;
      }
      if (width <= this.width - 40 || size <= 9) {
        break;
      }
      size--;
    }
    double x = (this.width - width) / 2;
    for (int p = 0; p < results.paths.size(); p++) {
      String path = results.paths.get(p);
      g.setColor(PALETTE[p % PALETTE.length]);
      g.fillRect((int) x, 58, swatch, swatch);
      g.setColor(INK);
      g.drawString(path, (float) (x + swatch + 6), 70);
      x += swatch + 6 + fm.stringWidth(path) + gap;
    }
  }

  /**
   * Gridlines, tick labels and the axis title of the plot between {@code left} and {@code right},
   * its top at least {@code floor}; returns the value at the top.
   */
  private double axis(Graphics2D g, int left, int right, double highest, double floor, String title) {
    // Headroom for the value label above the tallest bar.
    double wanted = Math.max(Math.max(floor, highest) * 1.08, 1e-9);
    double step = niceStep(wanted / 8);
    double top = Math.ceil(wanted / step) * step;
    int decimals = Math.max(0, BigDecimal.valueOf(step).stripTrailingZeros().scale());

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i * step <= top + 1e-9; i++) {
      double y = y(i * step, top);
      g.setColor(GRID);
      g.drawLine(left, (int) y, right, (int) y);
      g.setColor(MUTED);
      String label = String.format(Locale.ROOT, "%." + decimals + "f", i * step);
      g.drawString(label, left - 8 - fm.stringWidth(label), (float) (y + fm.getAscent() / 2.0 - 2));
    }
    g.setColor(INK);
    g.drawLine(left, PLOT_TOP, left, PLOT_BOTTOM);
    g.drawLine(left, PLOT_BOTTOM, right, PLOT_BOTTOM);

    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    centre(g, title, -(PLOT_TOP + PLOT_BOTTOM) / 2.0, left - 60);
    g.setTransform(saved);
    return top;
  }

  /**
   * The bars of {@code metrics} between {@code left} and {@code right}. Ratios: a slot for every
   * path, the dashed line at 1.0 behind; quantities: a slot for each path with a value.
   */
  private void bars(Graphics2D g, int left, int right, List<String> metrics, double top, boolean ratios) {
    double groupWidth = (double) (right - left) / metrics.size();
    int most = 0;
    for (String metric : metrics) {
      most = Math.max(most, ratios ? results.paths.size() : results.pathsWithValues(metric).size());
    }
    double slot = groupWidth * 0.86 / Math.max(1, most);
    Font valueFont = fitting(g, List.of(label(results.highest(metrics), ratios)), Font.PLAIN, slot - 2, 13, 9);

    if (ratios) {
      // Behind the bars, where it marks the direct connection in the gaps between them.
      g.setColor(INK);
      g.setStroke(
          new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
      g.draw(new Line2D.Double(left, y(1.0, top), right, y(1.0, top)));
      g.setStroke(new BasicStroke());
    }

    for (int m = 0; m < metrics.size(); m++) {
      String metric = metrics.get(m);
      double groupLeft = left + m * groupWidth + groupWidth * 0.07;
      List<String> paths = ratios ? results.paths : results.pathsWithValues(metric);
      for (int s = 0; s < paths.size(); s++) {
        Double value = results.ratio(metric, paths.get(s));
        if (value == null) {
          continue;
        }
        double x = groupLeft + s * slot + slot * 0.08;
        double y = y(value, top);
        g.setColor(PALETTE[results.paths.indexOf(paths.get(s)) % PALETTE.length]);
        g.fill(new Rectangle2D.Double(x, y, slot * 0.84, PLOT_BOTTOM - y));
        valueLabel(g, valueFont, label(value, ratios), x + slot * 0.42, y - 5);
      }
      groupLabel(g, metric, left + (m + 0.5) * groupWidth, groupWidth - 12);
    }
  }

  /** A bar's value, on white so that the line at 1.0 does not strike it through. */
  private static void valueLabel(Graphics2D g, Font font, String text, double centre, double baseline) {
    g.setFont(font);
    FontMetrics fm = g.getFontMetrics();
    int width = fm.stringWidth(text);
    g.setColor(Color.WHITE);
    g.fill(new Rectangle2D.Double(
        centre - width / 2.0 - 1, baseline - fm.getAscent(), width + 2, fm.getAscent() + 2));
    g.setColor(INK);
    centre(g, text, centre, baseline);
  }

  private static String label(double value, boolean ratio) {
    if (ratio) {
      return String.format(Locale.ROOT, "%.2f×", value);
    }
    return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
  }

  /**
   * The metric's name, on two lines if it is too wide and smaller if those are too, then whether
   * higher or lower is better.
   */
  private void groupLabel(Graphics2D g, String metric, double centre, double width) {
    boolean fits = g.getFontMetrics(new Font(Font.SANS_SERIF, Font.BOLD, 14)).stringWidth(metric) <= width;
    List<String> lines = fits ? List.of(metric) : wrap(metric);
    g.setColor(INK);
    g.setFont(fitting(g, lines, Font.BOLD, width, 14, 10));
    FontMetrics fm = g.getFontMetrics();
    float y = PLOT_BOTTOM + 22;
    for (String line : lines) {
      centre(g, line, centre, y);
      y += fm.getHeight();
    }
    String better = results.better.get(metric);
    String unit = results.units.get(metric);
    if (better != null || unit != null) {
      g.setColor(MUTED);
      g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
      String note = unit == null ? better + " is better" : better == null ? unit : unit + ", " + better + " is better";
      centre(g, "(" + note + ")", centre, y);
    }
  }

  /** The text as two lines, broken at the space that best balances them; one if it has no space. */
  private static List<String> wrap(String text) {
    int best = -1;
    for (int i = text.indexOf(' '); i >= 0; i = text.indexOf(' ', i + 1)) {
      if (best < 0 || Math.abs(text.length() - 2 * i) < Math.abs(text.length() - 2 * best)) {
        best = i;
      }
    }
    if (best < 0) {
      return List.of(text);
    }
    return List.of(text.substring(0, best), text.substring(best + 1));
  }

  /** The largest size from {@code max} down to {@code min} at which every line fits {@code width}. */
  private static Font fitting(Graphics2D g, List<String> lines, int style, double width, int max, int min) {
    Font font = new Font(Font.SANS_SERIF, style, max);
    while (font.getSize() > min && widest(g.getFontMetrics(font), lines) > width) {
      font = new Font(Font.SANS_SERIF, style, font.getSize() - 1);
    }
    return font;
  }

  private static int widest(FontMetrics fm, List<String> lines) {
    return lines.stream().mapToInt(fm::stringWidth).max().orElse(0);
  }

  /** 1, 2, 2.5 or 5 times a power of ten, the smallest not below {@code rough}. */
  private static double niceStep(double rough) {
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double m : new double[] {1, 2, 2.5, 5}) {
      if (m * power >= rough) {
        return m * power;
      }
    }
    return 10 * power;
  }

  private static double y(double ratio, double top) {
    return PLOT_BOTTOM - ratio / top * (PLOT_BOTTOM - PLOT_TOP);
  }

  private static void centre(Graphics2D g, String text, double x, double baseline) {
    g.drawString(text, (float) (x - g.getFontMetrics().stringWidth(text) / 2.0), (float) baseline);
  }

  /** The parsed TSV. */
  static final class Results {
    final List<String> metrics = new ArrayList<>();
    final List<String> paths = new ArrayList<>();
    final Map<String, String> better = new HashMap<>();
    /** The unit of each metric given as a quantity; ratio metrics have none. */
    final Map<String, String> units = new HashMap<>();
    private final Map<String, Double> ratios = new HashMap<>();

    static Results parse(List<String> lines) {
      Results r = new Results();
      // Line 1 is the header.
      for (int n = 2; n <= lines.size(); n++) {
        String line = lines.get(n - 1);
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (f.length < 3 || f.length > 5 || f[0].isEmpty() || f[1].isEmpty()) {
          throw new IllegalArgumentException("line " + n + ": want metric, path, value[, better[, unit]]");
        }
        boolean firstOfMetric = !r.metrics.contains(f[0]);
        String unit = f.length == 5 && !f[4].isEmpty() ? f[4] : null;
        if (!firstOfMetric && !java.util.Objects.equals(unit, r.units.get(f[0]))) {
          throw new IllegalArgumentException("line " + n + ": " + f[0] + " was "
              + (r.units.containsKey(f[0]) ? "in " + r.units.get(f[0]) : "a ratio") + ", now "
              + (unit == null ? "a ratio" : "in " + unit));
        }
        if (firstOfMetric && unit != null) {
          r.units.put(f[0], unit);
        }
        double ratio;
        try {
          ratio = Double.parseDouble(f[2]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("line " + n + ": value '" + f[2] + "' is not a number");
        }
        if (!(ratio >= 0) || Double.isInfinite(ratio)) {
          throw new IllegalArgumentException("line " + n + ": value " + f[2] + " is out of range");
        }
        if (!r.metrics.contains(f[0])) {
          r.metrics.add(f[0]);
        }
        if (!r.paths.contains(f[1])) {
          r.paths.add(f[1]);
        }
        r.ratios.put(f[0] + '\t' + f[1], ratio);
        if (f.length >= 4 && !f[3].isEmpty()) {
          if (!f[3].equals("higher") && !f[3].equals("lower")) {
            throw new IllegalArgumentException(
                "line " + n + ": better is 'higher' or 'lower', not '" + f[3] + "'");
          }
          String before = r.better.putIfAbsent(f[0], f[3]);
          if (before != null && !before.equals(f[3])) {
            throw new IllegalArgumentException("line " + n + ": " + f[0] + " was '" + before + " is better'");
          }
        }
      }
      if (r.ratios.isEmpty()) {
        throw new IllegalArgumentException("no results");
      }
      return r;
    }

    /** The path's value for the metric: a ratio, or a quantity in the metric's unit; null when it has none. */
    Double ratio(String metric, String path) {
      return ratios.get(metric + '\t' + path);
    }

    /** The metrics given as ratios to the direct connection, in order. */
    List<String> ratioMetrics() {
      return metrics.stream().filter(m -> !units.containsKey(m)).toList();
    }

    /** The metrics given as quantities in a unit, in order. */
    List<String> unitMetrics() {
      return metrics.stream().filter(units::containsKey).toList();
    }

    /** The paths with a value for {@code metric}, in order. */
    List<String> pathsWithValues(String metric) {
      return paths.stream().filter(p -> ratio(metric, p) != null).toList();
    }

    /** The highest value of {@code among}'s metrics. */
    double highest(List<String> among) {
      double highest = 0;
      for (String metric : among) {
        for (String path : paths) {
          Double value = ratio(metric, path);
          if (value != null) {
            highest = Math.max(highest, value);
          }
        }
      }
      return highest;
    }
  }
}
