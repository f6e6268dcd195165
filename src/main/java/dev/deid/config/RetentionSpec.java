package dev.deid.config;

/** Rows whose {@code column} is older than {@code maxAgeDays} before the run are deleted physically. */
public record RetentionSpec(String column, int maxAgeDays) {}
