package io.outpost.gateway.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with left-aligned columns, for human-friendly CLI output. */
final class Table {

  private final List<String[]> rows = new ArrayList<>();

  Table(String... headers) {
    rows.add(headers);
  }

  Table row(Object... cells) {
    String[] r = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      r[i] = cells[i] == null ? "-" : String.valueOf(cells[i]);
    }
    rows.add(r);
    return this;
  }

  void print(PrintWriter out) {
    int columns = rows.get(0).length;
    // A table of label/value pairs has blank headers: print no header line for it.
    List<String[]> printed =
        java.util.Arrays.stream(rows.get(0)).allMatch(String::isBlank)
            ? rows.subList(1, rows.size())
            : rows;
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns && i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : printed) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        String cell = i < r.length ? r[i] : "";
        line.append(i == columns - 1 ? cell : String.format("%-" + (width[i] + 2) + "s", cell));
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }
}
