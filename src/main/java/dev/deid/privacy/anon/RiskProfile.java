package dev.deid.privacy.anon;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Re-identification risk of a release, from its equivalence class sizes (records sharing the same
 * quasi-identifier values). Prosecutor risk assumes the attacker knows the target is in the data;
 * with no population table the journalist risk is bounded by the same figure, and the marketer
 * risk (expected share of records re-identified by linking everything) is classes / records.
 * {@code recordsAtHighestRisk} is the share of records in the smallest classes, which carry the
 * highest prosecutor risk; {@code recordsAboveThreshold} the share whose prosecutor risk (1 / class
 * size) exceeds {@code riskThreshold}. {@code population} estimates how many people of the
 * population are unique on the quasi-identifiers. {@code recordsByClassSize} is the distribution
 * behind the maxima: records per band of class sizes, each band labelled with its size range and
 * the prosecutor risk (1 / size) it carries.
 */
public record RiskProfile(
    long records, int classes, long smallestClass, long largestClass, double meanClassSize,
    double highestProsecutorRisk, double averageProsecutorRisk, double journalistRisk, double marketerRisk,
    double recordsInClassesBelowK, double sampleUniques, double recordsAtHighestRisk, double riskThreshold,
    double recordsAboveThreshold, PopulationUniqueness population, Map<String, Long> recordsByClassSize) {

  /**
   * What the risk figures assume: the size of the population the records are drawn from (null:
   * the records are the whole population, the most pessimistic assumption) and the prosecutor
   * risk above which a record counts as at risk (null: 1 / k).
   */
  public record Assumptions(Long populationSize, Double riskThreshold) {
    public static final Assumptions NONE = new Assumptions(null, null);
  }

  private static final long[] BAND_STARTS = {1, 2, 3, 5, 10, 20, 50, 100};
  private static final String[] BAND_LABELS = {"1 (100%)", "2 (50%)", "3-4 (25-33%)", "5-9 (11-20%)", "10-19 (5-10%)",
      "20-49 (2-5%)", "50-99 (1-2%)", "100+ (<=1%)"};

  public RiskProfile {
    recordsByClassSize = recordsByClassSize == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(recordsByClassSize));
  }

  public static RiskProfile of(long[] classSizes, int k) {
    return of(classSizes, k, Assumptions.NONE);
  }

  public static RiskProfile of(long[] classSizes, int k, Assumptions assumptions) {
    double threshold = assumptions.riskThreshold() != null ? assumptions.riskThreshold() : 1.0 / k;
    long records = 0;
    long smallest = Long.MAX_VALUE;
    long largest = 0;
    long belowK = 0;
    long uniques = 0;
    long aboveThreshold = 0;
    long[] bands = new long[BAND_STARTS.length];
    Map<Long, Long> frequencies = new TreeMap<>();
    for (long size : classSizes) {
      int band = BAND_STARTS.length - 1;
      while (band > 0 && size < BAND_STARTS[band]) {
        band--;
      }
      bands[band] += size;
      records += size;
      smallest = Math.min(smallest, size);
      largest = Math.max(largest, size);
      if (size < k) {
        belowK += size;
      }
      if (size == 1) {
        uniques++;
      }
      if (1.0 / size > threshold) {
        aboveThreshold += size;
      }
      frequencies.merge(size, 1L, Long::sum);
    }
    if (records == 0) {
      return new RiskProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, threshold, 0, null, bandMap(bands));
    }
    long population = assumptions.populationSize() != null ? assumptions.populationSize() : records;
    PopulationUniqueness estimate = PopulationUniqueness.estimate(frequencies, population, assumptions.populationSize() == null);
    int classes = classSizes.length;
    double highest = 1.0 / smallest;
    double average = (double) classes / records;
    double atHighest = (double) smallest * frequencies.get(smallest) / records;
    return new RiskProfile(records, classes, smallest, largest, (double) records / classes, highest, average, highest,
        average, (double) belowK / records, (double) uniques / records, atHighest, threshold, (double) aboveThreshold / records,
        estimate, bandMap(bands));
  }

  private static Map<String, Long> bandMap(long[] bands) {
    Map<String, Long> map = new LinkedHashMap<>();
    for (int i = 0; i < bands.length; i++) {
      map.put(BAND_LABELS[i], bands[i]);
    }
    return map;
  }
}
