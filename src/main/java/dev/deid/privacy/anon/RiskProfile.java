package dev.deid.privacy.anon;

/**
 * Re-identification risk of a release, from its equivalence class sizes (records sharing the same
 * quasi-identifier values). Prosecutor risk assumes the attacker knows the target is in the data;
 * with no population table the journalist risk is bounded by the same figure, and the marketer
 * risk (expected share of records re-identified by linking everything) is classes / records.
 */
public record RiskProfile(
    long records, int classes, long smallestClass, long largestClass, double meanClassSize,
    double highestProsecutorRisk, double averageProsecutorRisk, double journalistRisk, double marketerRisk,
    double recordsInClassesBelowK, double sampleUniques) {

  public static RiskProfile of(long[] classSizes, int k) {
    long records = 0;
    long smallest = Long.MAX_VALUE;
    long largest = 0;
    long belowK = 0;
    long uniques = 0;
    for (long size : classSizes) {
      records += size;
      smallest = Math.min(smallest, size);
      largest = Math.max(largest, size);
      if (size < k) {
        belowK += size;
      }
      if (size == 1) {
        uniques++;
      }
    }
    if (records == 0) {
      return new RiskProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    int classes = classSizes.length;
    double highest = 1.0 / smallest;
    double average = (double) classes / records;
    return new RiskProfile(records, classes, smallest, largest, (double) records / classes, highest, average, highest,
        average, (double) belowK / records, (double) uniques / records);
  }
}
