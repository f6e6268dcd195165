package dev.deid.config;

import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.privacy.anon.UtilityMetric;
import java.util.List;
import java.util.Map;

/**
 * The privacy models an output must satisfy and how: {@code quasiIdentifiers} maps each output
 * column to the hierarchy that generalizes it; {@code sensitive} is the output column l-diversity
 * and t-closeness protect; {@code mode} is global (full-domain, optimal) or local (Mondrian).
 */
public record AnonymizationSpec(
    Map<String, String> quasiIdentifiers,
    String sensitive,
    String sensitiveHierarchy,
    List<PrivacyModel> models,
    double suppressionLimit,
    UtilityMetric metric,
    Mode mode,
    boolean starSuppressed,
    long timeBudgetMillis,
    Long populationSize,
    Double riskThreshold) {

  public AnonymizationSpec {
    quasiIdentifiers = Copies.orderedMap(quasiIdentifiers);
    models = List.copyOf(models);
  }

  public enum Mode { GLOBAL, LOCAL }

  /** The k of the k-anonymity model, or 1 when only l-diversity or t-closeness is asked for. */
  public int k() {
    return models.stream().filter(m -> m instanceof PrivacyModel.KAnonymity)
        .mapToInt(m -> ((PrivacyModel.KAnonymity) m).k()).max().orElse(1);
  }
}
