package io.clip4j.apps;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * The pictures people would rather look at than read: confusion matrices, images with their labels.
 */
public final class Charts {
  private Charts() {}

  /** A confusion-matrix heat map (rows: true class, columns: predicted) as PNG, via XChart. */
  public static void confusionMatrix(ClassificationMetrics metrics, String title, Path png)
      throws IOException {
    List<String> classes = metrics.classes();
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(140 + 70 * classes.size())
            .height(120 + 50 * classes.size())
            .title(title)
            .xAxisTitle("predicted")
            .yAxisTitle("true")
            .build();
    chart.getStyler().setShowValue(true).setPlotContentSize(1.0).setLegendVisible(false);
    List<Number[]> cells = new ArrayList<>();
    long[][] confusion = metrics.confusion();
    for (int t = 0; t < classes.size(); t++) {
      for (int p = 0; p < classes.size(); p++) {
        cells.add(new Number[] {p, classes.size() - 1 - t, confusion[t][p]});
      }
    }
    List<String> reversed = new ArrayList<>(classes);
    java.util.Collections.reverse(reversed);
    chart.addSeries("confusion", classes, reversed, cells);
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** The image on the left, its top labels as horizontal bars of their scores on the right. */
  public static void labelledImage(
      BufferedImage image, List<ZeroShotClassifier.Prediction> predictions, Path png)
      throws IOException {
    int side = 320;
    int width = side + 460;
    int height = Math.max(side, 60 + 44 * predictions.size()) + 20;
    BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      double fit = Math.min(side / (double) image.getWidth(), side / (double) image.getHeight());
      int w = (int) Math.round(image.getWidth() * fit);
      int h = (int) Math.round(image.getHeight() * fit);
      g.drawImage(image, 10 + (side - w) / 2, 10 + (side - h) / 2, w, h, null);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
      int x = side + 30;
      int barWidth = width - x - 90;
      for (int i = 0; i < predictions.size(); i++) {
        ZeroShotClassifier.Prediction p = predictions.get(i);
        int y = 30 + 44 * i;
        g.setColor(Color.DARK_GRAY);
        g.drawString(p.label(), x, y);
        g.setColor(i == 0 ? new Color(0x2E7D32) : new Color(0x90A4AE));
        g.fillRect(x, y + 6, (int) Math.round(barWidth * p.score()), 16);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x, y + 6, barWidth, 16);
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format(Locale.ROOT, "%.2f", p.score()), x + barWidth + 8, y + 20);
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(canvas, "png", png.toFile());
  }
}
