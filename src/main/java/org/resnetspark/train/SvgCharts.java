package org.resnetspark.train;

import java.util.List;

/**
 * Self-contained SVG charts for {@code report.html}: the report must render from HDFS or an e-mail attachment
 * without scripts or network access, so the charts are inline SVG, not a JS library.
 */
final class SvgCharts {

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"};

    /** One named line of (x, y) points. */
    record Series(String name, List<double[]> points) { }

    private SvgCharts() {
    }

    /** Line chart over epochs; {@code yMax} NaN scales to the data's maximum. */
    static String lines(List<Series> series, double yMin, double yMax, String xLabel) {
        int w = 640;
        int h = 260;
        double xMax = 1;
        double top = yMax;
        boolean any = false;
        for (Series s : series) {
            for (double[] p : s.points()) {
                any = true;
                xMax = Math.max(xMax, p[0]);
                if (Double.isNaN(yMax) && Double.isFinite(p[1])) {
                    top = Double.isNaN(top) ? p[1] : Math.max(top, p[1]);
                }
            }
        }
        if (!any) {
            return "<p>(no data yet)</p>";
        }
        if (Double.isNaN(top) || top <= yMin) {
            top = yMin + 1;
        }
        StringBuilder svg = open(w, h);
        svg.append(axes(w, h, yMin, top, xLabel + " " + (int) xMax));
        for (int i = 0; i < series.size(); i++) {
            String color = COLORS[i % COLORS.length];
            StringBuilder poly = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (double[] p : series.get(i).points()) {
                if (Double.isFinite(p[1])) {
                    double x = 50 + (w - 70) * (p[0] / xMax);
                    double y = h - 30 - (h - 50) * ((Math.min(p[1], top) - yMin) / (top - yMin));
                    poly.append(String.format("%.1f,%.1f ", x, y));
                    // markers keep a single evaluation (a one-point line) visible
                    dots.append(String.format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">"
                            + "<title>%s %.4g at %.4g</title></circle>", x, y, color,
                            escape(series.get(i).name()), p[1], p[0]));
                }
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                    .append(poly).append("\"/>").append(dots);
            svg.append("<text x=\"").append(w - 150).append("\" y=\"").append(20 + 14 * i)
                    .append("\" font-size=\"12\" fill=\"").append(color).append("\">")
                    .append(escape(series.get(i).name())).append("</text>");
        }
        return svg.append("</svg>").toString();
    }

    /** Horizontal bars in [0, 1], one per label. */
    static String bars(List<String> labels, List<Double> values) {
        int row = 16;
        int w = 640;
        int h = 10 + row * labels.size();
        StringBuilder svg = open(w, h);
        for (int i = 0; i < labels.size(); i++) {
            double v = values.get(i);
            int y = 5 + row * i;
            svg.append("<text x=\"0\" y=\"").append(y + 12).append("\" font-size=\"11\">")
                    .append(escape(labels.get(i))).append("</text>");
            if (Double.isFinite(v)) {
                svg.append(String.format("<rect x=\"160\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                        y + 2, 400 * v, row - 4, COLORS[0]));
                svg.append(String.format("<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.1f%%</text>", 165 + 400 * v,
                        y + 12, 100 * v));
            }
        }
        return svg.append("</svg>").toString();
    }

    /** Heat map of counts[actual][predicted], each row shaded relative to its own total. */
    static String heatMap(List<String> labels, long[][] counts) {
        int n = labels.size();
        int cell = Math.max(6, Math.min(36, 600 / Math.max(1, n)));
        boolean numbers = cell >= 28;
        int left = 120;
        int topMargin = 20;
        StringBuilder svg = open(left + cell * n + 10, topMargin + cell * n + 30);
        for (int a = 0; a < n; a++) {
            long total = 0;
            for (long c : counts[a]) {
                total += c;
            }
            if (cell >= 10) {
                svg.append("<text x=\"0\" y=\"").append(topMargin + cell * a + cell * 2 / 3)
                        .append("\" font-size=\"11\">").append(escape(labels.get(a))).append("</text>");
            }
            for (int p = 0; p < n; p++) {
                double share = total == 0 ? 0 : (double) counts[a][p] / total;
                int shade = (int) Math.round(255 * (1 - share));
                String fill = a == p ? String.format("rgb(%d,%d,255)", shade, shade)
                        : String.format("rgb(255,%d,%d)", shade, shade);
                svg.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                                + "<title>%s as %s: %d</title></rect>", left + cell * p, topMargin + cell * a, cell,
                        cell, fill, escape(labels.get(a)), escape(labels.get(p)), counts[a][p]));
                if (numbers) {
                    svg.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%d"
                            + "</text>", left + cell * p + cell / 2, topMargin + cell * a + cell * 2 / 3, counts[a][p]));
                }
            }
        }
        svg.append("<text x=\"").append(left).append("\" y=\"12\" font-size=\"11\">predicted \u2192 (rows: actual)"
                + "</text>");
        return svg.append("</svg>").toString();
    }

    private static StringBuilder open(int w, int h) {
        return new StringBuilder("<svg width=\"" + w + "\" height=\"" + h
                + "\" xmlns=\"http://www.w3.org/2000/svg\">");
    }

    private static String axes(int w, int h, double yMin, double yMax, String xText) {
        return "<line x1=\"50\" y1=\"" + (h - 30) + "\" x2=\"" + (w - 20) + "\" y2=\"" + (h - 30)
                + "\" stroke=\"black\"/><line x1=\"50\" y1=\"20\" x2=\"50\" y2=\"" + (h - 30) + "\" stroke=\"black\"/>"
                + "<text x=\"2\" y=\"24\" font-size=\"11\">" + String.format("%.4g", yMax) + "</text>"
                + "<text x=\"2\" y=\"" + (h - 30) + "\" font-size=\"11\">" + String.format("%.4g", yMin) + "</text>"
                + "<text x=\"" + (w - 90) + "\" y=\"" + (h - 10) + "\" font-size=\"11\">" + escape(xText) + "</text>";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
