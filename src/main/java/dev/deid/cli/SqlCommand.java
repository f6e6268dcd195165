package dev.deid.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deid.errors.Errors;
import dev.deid.io.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * SQL over the warehouse's catalog, for analysts and notebooks: the tables runs named
 * ({@code analysts.customers_analytics}, …) in the same session settings the job uses, so an
 * embedded catalog opens as the run left it.
 */
@Command(mixinStandardHelpOptions = true, name = "sql", description = "Run SQL statements against the warehouse's "
    + "catalog (the tables runs named, e.g. analysts.customers_analytics) and print each result; ${warehouse} in a "
    + "statement stands for the warehouse root.")
final class SqlCommand implements Callable<Integer> {
  enum Format { table, csv, json }

  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec command;
  @CommandLine.Mixin
  DeidCli.WarehouseOption warehouse = new DeidCli.WarehouseOption();
  @Option(names = "--format", defaultValue = "table", description = "table, csv (with a header; results apart by a blank line) or json (per statement one line: an object of columns and rows); default ${DEFAULT-VALUE}.")
  Format format;
  @Option(names = "--max-rows", defaultValue = "1000", description = "Rows printed per result at most (default ${DEFAULT-VALUE}).")
  int maxRows;
  @Parameters(arity = "1..*", paramLabel = "STATEMENT", description = "One SQL statement per argument, run in order.")
  List<String> statements;

  @Override
  public Integer call() {
    Warehouse target = warehouse.resolve();
    SparkSession spark = DeidCli.spark(target);
    PrintWriter out = command.commandLine().getOut();
    for (int i = 0; i < statements.size(); i++) {
      String statement = statements.get(i).replace("${warehouse}", target.root());
      Dataset<Row> result;
      List<Row> rows;
      try {
        result = spark.sql(statement);
        rows = result.takeAsList(maxRows);
      } catch (Exception e) {
        // Scala code throws AnalysisException (a parse error included) undeclared: a mistake in the statement.
        if (!(e instanceof AnalysisException)) {
          throw e;
        }
        throw Errors.sqlStatement(i + 1, e.getMessage().lines().findFirst().orElse(e.getClass().getSimpleName()));
      }
      if (i > 0 && format == Format.csv) {
        out.println();
      }
      print(out, result.columns(), rows);
    }
    out.flush();
    return 0;
  }

  private void print(PrintWriter out, String[] columns, List<Row> rows) {
    switch (format) {
      case json -> {
        List<List<Object>> values = new ArrayList<>();
        for (Row row : rows) {
          List<Object> line = new ArrayList<>();
          for (int c = 0; c < columns.length; c++) {
            Object value = row.get(c);
            line.add(value instanceof Number || value instanceof Boolean || value == null ? value : String.valueOf(value));
          }
          values.add(line);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("columns", List.of(columns));
        result.put("rows", values);
        try {
          out.println(JSON.writeValueAsString(result));
        } catch (JsonProcessingException e) {
          throw new UncheckedIOException(e);
        }
      }
      case csv -> {
        try {
          CSVPrinter printer = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(columns).build());
          for (Row row : rows) {
            for (int c = 0; c < columns.length; c++) {
              printer.print(row.get(c));
            }
            printer.println();
          }
          printer.flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      case table -> {
        out.println(String.join(" | ", columns));
        for (Row row : rows) {
          StringBuilder line = new StringBuilder();
          for (int c = 0; c < columns.length; c++) {
            line.append(c == 0 ? "" : " | ").append(row.isNullAt(c) ? "NULL" : String.valueOf(row.get(c)));
          }
          out.println(line);
        }
        out.println("(" + rows.size() + (rows.size() == maxRows ? "+" : "") + " rows)");
      }
    }
  }
}
