package dev.deid.privacy.anon;

/**
 * How much a transformation costs in utility (lower is better). Suppressed records count as fully
 * generalized in every metric. Without suppression every metric here is monotone: a more general
 * transformation never scores better.
 */
public enum UtilityMetric {
  /**
   * ARX's "Loss" (MetricMDNMLoss with its defaults), so figures compare directly with ARX: per
   * quasi-identifier, each record costs the share of the domain its generalized value covers
   * (hierarchy rows under its label / all rows; 1 if suppressed); the sum is normalized so that
   * no generalization is 0 and full suppression is 1; the attributes' losses are aggregated by
   * the geometric mean of (loss + 1), minus 1.
   */
  LOSS,
  /** Discernibility: the sum of squared class sizes, each suppressed record costing the table size. */
  DISCERNIBILITY,
  /** Average equivalence class size: records / classes (suppressed records form no class). */
  AVERAGE_CLASS_SIZE,
  /** Precision (Sweeney): the mean over attributes and records of level / (height - 1). */
  PRECISION;

  /** The per-attribute Loss figures (before aggregation) of a set of classes. */
  static double[] lossPerAttribute(TupleHistogram h, EquivalenceClasses classes, boolean[] suppressed, boolean asBound) {
    int dims = h.dimensions();
    double records = h.records();
    double[] result = new double[dims];
    for (int d = 0; d < dims; d++) {
      Hierarchy hierarchy = h.hierarchies()[d];
      int level = classes.levels[d];
      double size = hierarchy.domainSize();
      double sum = 0;
      for (int c = 0; c < classes.count(); c++) {
        double share = hierarchy.leafCount(level, classes.key(c, d)) / size;
        sum += !asBound && suppressed[c] ? classes.size(c) : classes.size(c) * share;
      }
      double min = records / size;
      double normalized = records == min ? 0 : (sum - min) / (records - min);
      result[d] = Math.max(0, normalized);
    }
    return result;
  }

  static double geometricMean(double[] values) {
    double product = 1;
    for (double v : values) {
      product *= Math.pow(v + 1, 1.0 / values.length);
    }
    return product - 1;
  }

  double score(TupleHistogram h, EquivalenceClasses classes, boolean[] suppressed) {
    return switch (this) {
      case LOSS -> geometricMean(lossPerAttribute(h, classes, suppressed, false));
      case DISCERNIBILITY -> {
        double sum = 0;
        for (int c = 0; c < classes.count(); c++) {
          double size = classes.size(c);
          sum += suppressed[c] ? size * h.records() : size * size;
        }
        yield sum;
      }
      case AVERAGE_CLASS_SIZE -> {
        int keptClasses = 0;
        for (int c = 0; c < classes.count(); c++) {
          if (!suppressed[c]) {
            keptClasses++;
          }
        }
        yield keptClasses == 0 ? h.records() : (double) h.records() / keptClasses;
      }
      case PRECISION -> {
        double sum = 0;
        for (int c = 0; c < classes.count(); c++) {
          for (int d = 0; d < h.dimensions(); d++) {
            int height = h.hierarchies()[d].height() - 1;
            double level = suppressed[c] || height == 0 ? (height == 0 ? 0 : 1) : (double) classes.levels[d] / height;
            sum += classes.size(c) * level;
          }
        }
        yield sum / (h.records() * (double) h.dimensions());
      }
    };
  }

  /**
   * For metrics whose score without suppression depends on the levels alone (Loss, precision): per
   * dimension and level, that dimension's share of the score; null for the others. The score of
   * levels {@code l} with nothing suppressed is {@link #fromLevelTable} of it, and it is a lower
   * bound of the score with suppression and of every more general transformation.
   */
  double[][] levelTable(TupleHistogram h) {
    if (this != LOSS && this != PRECISION) {
      return null;
    }
    double[][] table = new double[h.dimensions()][];
    for (int d = 0; d < h.dimensions(); d++) {
      Hierarchy hierarchy = h.hierarchies()[d];
      table[d] = new double[hierarchy.height()];
      if (this == PRECISION) {
        int height = hierarchy.height() - 1;
        for (int level = 0; level <= height; level++) {
          table[d][level] = height == 0 ? 0 : (double) level / height;
        }
        continue;
      }
      long[] marginal = new long[hierarchy.valueCount()];
      int[] codes = h.codes(d);
      for (int r = 0; r < codes.length; r++) {
        marginal[codes[r]] += h.count(r);
      }
      double records = h.records();
      double size = hierarchy.domainSize();
      double min = records / size;
      for (int level = 0; level < hierarchy.height(); level++) {
        int[] labelOf = hierarchy.labelIndexes(level);
        double sum = 0;
        for (int code = 0; code < marginal.length; code++) {
          if (marginal[code] > 0) {
            sum += marginal[code] * (hierarchy.leafCount(level, labelOf[code]) / size);
          }
        }
        table[d][level] = records == min ? 0 : Math.max(0, (sum - min) / (records - min));
      }
    }
    return table;
  }

  /**
   * The level table as additive costs: the score without suppression is a strictly increasing
   * function ({@link #boundFromCost}) of the sum of one cost per dimension, which lets a search
   * bound partial transformations by adding the cheapest cost of each dimension left.
   */
  double[][] additiveCosts(double[][] table) {
    double[][] costs = new double[table.length][];
    for (int d = 0; d < table.length; d++) {
      costs[d] = new double[table[d].length];
      for (int level = 0; level < table[d].length; level++) {
        costs[d][level] = this == LOSS ? Math.log1p(table[d][level]) : table[d][level];
      }
    }
    return costs;
  }

  /** The score without suppression whose additive cost is {@code cost}, over {@code dims} dimensions. */
  double boundFromCost(double cost, int dims) {
    return this == LOSS ? Math.expm1(cost / dims) : cost / dims;
  }

  /** The score without suppression of {@code levels}, from {@link #levelTable}. */
  double fromLevelTable(double[][] table, int[] levels) {
    double[] parts = new double[levels.length];
    double sum = 0;
    for (int d = 0; d < levels.length; d++) {
      parts[d] = table[d][levels[d]];
      sum += parts[d];
    }
    return this == LOSS ? geometricMean(parts) : sum / levels.length;
  }

  /**
   * A lower bound of the score of this transformation and of every more general one, used to prune
   * the search; {@code Double.NEGATIVE_INFINITY} where no useful bound is known.
   */
  double lowerBound(TupleHistogram h, EquivalenceClasses classes) {
    return switch (this) {
      case LOSS -> geometricMean(lossPerAttribute(h, classes, null, true));
      case PRECISION -> {
        double sum = 0;
        for (int d = 0; d < h.dimensions(); d++) {
          int height = h.hierarchies()[d].height() - 1;
          sum += height == 0 ? 0 : (double) classes.levels[d] / height;
        }
        yield sum / h.dimensions();
      }
      default -> Double.NEGATIVE_INFINITY;
    };
  }
}
