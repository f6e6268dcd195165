package dev.deid.config;

import java.util.List;

/** What happens to one column on its way from the raw table to an output. */
public sealed interface Transform {
  /** The action's name as written in a job spec. */
  String action();

  /** What the action did to the column, in words an analyst reads (table comments, guarantees). */
  String describe();

  /** Released unchanged. Refused for direct identifiers. */
  record Keep() implements Transform {
    public String action() { return "keep"; }

    public String describe() { return "released unchanged"; }
  }

  /** Never leaves the raw zone; an output may not list it. */
  record Drop() implements Transform {
    public String action() { return "drop"; }

    public String describe() { return "dropped"; }
  }

  /** Keyed HMAC-SHA-256 under the output audience's key. */
  record Pseudonymize() implements Transform {
    public String action() { return "pseudonymize"; }

    public String describe() { return "HMAC-SHA-256 pseudonym"; }
  }

  /** Replaces every character but the first {@code keepFirst} and last {@code keepLast} with '*'. */
  record Mask(int keepFirst, int keepLast) implements Transform {
    public String action() { return "mask"; }

    public String describe() {
      return "masked with '*', " + (keepFirst > 0 ? "first " + keepFirst + " and " : "") + "last " + keepLast
          + " characters kept";
    }
  }

  /** A birth date becomes the age band, e.g. {@code 30-39}, at the run's reference date. */
  record AgeBand(int width) implements Transform {
    public String action() { return "age_band"; }

    public String describe() { return "age band of " + width + " years at the run's reference date"; }
  }

  /** A birth date becomes the age in whole years at the run's reference date (for interval hierarchies). */
  record Age() implements Transform {
    public String action() { return "age"; }

    public String describe() { return "age in whole years at the run's reference date"; }
  }

  /** Row-level ε-local DP for a categorical column: k-ary randomized response over a public domain. */
  record RandomizedResponse(double epsilon, List<String> domain) implements Transform {
    public RandomizedResponse {
      domain = List.copyOf(domain);
    }

    public String action() { return "randomized_response"; }

    public String describe() {
      return "randomized response, " + epsilon + "-local DP over " + domain.size() + " values";
    }
  }

  /** Row-level ε-local DP for a numeric column: clamp to [lower, upper], add discrete Laplace noise. */
  record NumericNoise(double epsilon, double lower, double upper) implements Transform {
    public String action() { return "noise"; }

    public String describe() {
      return "clamped to [" + lower + ", " + upper + "] with discrete Laplace noise, " + epsilon + "-local DP";
    }
  }

  /** A date or timestamp truncated to the start of its day, month or year. */
  record Truncate(String unit) implements Transform {
    public String action() { return "truncate"; }

    public String describe() { return "truncated to the " + unit; }
  }

  /** Keeps the first {@code length} characters and masks the rest: {@code 100080 -> 1000**}. */
  record Prefix(int length) implements Transform {
    public String action() { return "prefix"; }

    public String describe() { return "first " + length + " characters kept, the rest masked with '*'"; }
  }

  /** Free text with e-mail and IP addresses, phone, resident ID and card numbers and street addresses replaced by placeholders. */
  record Redact() implements Transform {
    public String action() { return "redact"; }

    public String describe() {
      return "free text with e-mail and IP addresses, phone, resident ID and card numbers and street addresses replaced by placeholders";
    }
  }
}
