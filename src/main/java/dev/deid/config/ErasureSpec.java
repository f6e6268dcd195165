package dev.deid.config;

/**
 * The erasure-request table (raw zone) and its subject-id column. Erasures are audited as
 * pseudonyms under {@code auditAudience}'s key, never as raw ids.
 */
public record ErasureSpec(String table, String subjectColumn, String auditAudience) {}
