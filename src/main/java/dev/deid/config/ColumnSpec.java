package dev.deid.config;

/** One raw column's classification and transform; {@code outputName} is its name in outputs. */
public record ColumnSpec(String name, ColumnClass columnClass, Transform transform, String outputName) {}
