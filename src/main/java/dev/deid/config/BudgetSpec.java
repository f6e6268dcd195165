package dev.deid.config;

/**
 * The total privacy budget one audience may spend on one source per period ({@code day},
 * {@code month}, {@code year} or {@code total}), summed over every release of every run.
 */
public record BudgetSpec(String source, String audience, double epsilon, double delta, String period) {}
