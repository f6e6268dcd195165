package dev.deid.config;

/**
 * A known false positive of the publish-time leak guard, allowed for one output column and one
 * check ({@code raw_identifier} or a PII pattern name), with the reason the spec's author gives;
 * every allowed hit is counted in the report and the audit.
 */
public record LeakAllowance(String column, String check, String reason) {}
