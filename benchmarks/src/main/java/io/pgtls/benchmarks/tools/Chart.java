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
 * per path, each bar the path's ratio to the direct connection.
 *
 * <pre>
 * Chart --in results.tsv --out chart.png [--title "..."]
 * </pre>
 *
 * <p>The TSV has a header line, then {@code metric, path, ratio[, better]} per line, tab
 * separated; {@code better} is {@code higher} or {@code lower} and is printed under the metric's
 * label. Metrics and paths keep their order of first appearance, each path its colour; a path with
 * no line for a metric (it could not run) has no bar there.
 */
public final class Chart {
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 600;
  private static final int PLOT_LEFT = 90;
  private static final int PLOT_RIGHT = WIDTH - 30;
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

  Chart(Results results, String title) {
    this.results = results;
    this.title = title;
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
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);

    g.setColor(INK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
    centre(g, title, WIDTH / 2.0, 36);
    legend(g);
    double top = axis(g);
    bars(g, top);
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
      if (width <= WIDTH - 40 || size <= 9) {
        break;
      }
      size--;
    }
    double x = (WIDTH - width) / 2;
    for (int p = 0; p < results.paths.size(); p++) {
      String path = results.paths.get(p);
      g.setColor(PALETTE[p % PALETTE.length]);
      g.fillRect((int) x, 58, swatch, swatch);
      g.setColor(INK);
      g.drawString(path, (float) (x + swatch + 6), 70);
      x += swatch + 6 + fm.stringWidth(path) + gap;
    }
  }

  /** Gridlines, tick labels, the axis title and the line at 1.0; returns the ratio at the top. */
  private double axis(Graphics2D g) {
    // Headroom for the value label above the tallest bar.
    double wanted = Math.max(1.0, results.highest()) * 1.08;
    double step = niceStep(wanted / 8);
    double top = Math.ceil(wanted / step) * step;
    int decimals = Math.max(0, BigDecimal.valueOf(step).stripTrailingZeros().scale());

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i * step <= top + 1e-9; i++) {
      double y = y(i * step, top);
      g.setColor(GRID);
      g.drawLine(PLOT_LEFT, (int) y, PLOT_RIGHT, (int) y);
      g.setColor(MUTED);
      String label = String.format(Locale.ROOT, "%." + decimals + "f", i * step);
      g.drawString(label, PLOT_LEFT - 8 - fm.stringWidth(label), (float) (y + fm.getAscent() / 2.0 - 2));
    }
    g.setColor(INK);
    g.drawLine(PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_BOTTOM);
    g.drawLine(PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_BOTTOM);

    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    centre(g, "× direct", -(PLOT_TOP + PLOT_BOTTOM) / 2.0, 30);
    g.setTransform(saved);
    return top;
  }

  private void bars(Graphics2D g, double top) {
    int metrics = results.metrics.size();
    int paths = results.paths.size();
    double groupWidth = (double) (PLOT_RIGHT - PLOT_LEFT) / metrics;
    double slot = groupWidth * 0.86 / paths;
    Font valueFont = fitting(g, List.of(label(results.highest())), Font.PLAIN, slot - 2, 13, 10);

    // Behind the bars, where it marks the direct connection in the gaps between them.
    g.setColor(INK);
    g.setStroke(
        new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    g.draw(new Line2D.Double(PLOT_LEFT, y(1.0, top), PLOT_RIGHT, y(1.0, top)));
    g.setStroke(new BasicStroke());

    for (int m = 0; m < metrics; m++) {
      String metric = results.metrics.get(m);
      double left = PLOT_LEFT + m * groupWidth + groupWidth * 0.07;
      for (int p = 0; p < paths; p++) {
        Double ratio = results.ratio(metric, results.paths.get(p));
        if (ratio == null) {
          continue;
        }
        double x = left + p * slot + slot * 0.08;
        double y = y(ratio, top);
        g.setColor(PALETTE[p % PALETTE.length]);
        g.fill(new Rectangle2D.Double(x, y, slot * 0.84, PLOT_BOTTOM - y));
        valueLabel(g, valueFont, label(ratio), x + slot * 0.42, y - 5);
      }
      groupLabel(g, metric, PLOT_LEFT + (m + 0.5) * groupWidth, groupWidth - 12);
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

  private static String label(double ratio) {
    return String.format(Locale.ROOT, "%.2f×", ratio);
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
    if (better != null) {
      g.setColor(MUTED);
      g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
      centre(g, "(" + better + " is better)", centre, y);
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
        if (f.length < 3 || f.length > 4 || f[0].isEmpty() || f[1].isEmpty()) {
          throw new IllegalArgumentException("line " + n + ": want metric, path, ratio[, better]");
        }
        double ratio;
        try {
          ratio = Double.parseDouble(f[2]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("line " + n + ": ratio '" + f[2] + "' is not a number");
        }
        if (!(ratio >= 0) || Double.isInfinite(ratio)) {
          throw new IllegalArgumentException("line " + n + ": ratio " + f[2] + " is out of range");
        }
        if (!r.metrics.contains(f[0])) {
          r.metrics.add(f[0]);
        }
        if (!r.paths.contains(f[1])) {
          r.paths.add(f[1]);
        }
        r.ratios.put(f[0] + '\t' + f[1], ratio);
        if (f.length == 4 && !f[3].isEmpty()) {
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

    Double ratio(String metric, String path) {
      return ratios.get(metric + '\t' + path);
    }

    double highest() {
      return ratios.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
  }
}
