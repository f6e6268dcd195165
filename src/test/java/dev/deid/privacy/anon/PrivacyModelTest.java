package dev.deid.privacy.anon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Each model on hand-computed classes: one quasi-identifier, a sensitive attribute with known counts. */
class PrivacyModelTest {
  static final Hierarchy ZIP = Hierarchy.of("zip", List.of(new String[] {"a", "*"}, new String[] {"b", "*"}));
  static final Hierarchy DISEASE = Hierarchy.of("disease", List.of(new String[] {"flu", "respiratory", "*"},
      new String[] {"cold", "respiratory", "*"}, new String[] {"ulcer", "digestive", "*"}));

  /** Class 'a': flu x6, cold x2; class 'b': ulcer x4, flu x4. */
  static TupleHistogram histogram() {
    return TupleHistogram.builder(new Hierarchy[] {ZIP}, true)
        .add(new String[] {"a"}, "flu", 6).add(new String[] {"a"}, "cold", 2)
        .add(new String[] {"b"}, "ulcer", 4).add(new String[] {"b"}, "flu", 4).build();
  }

  static boolean[] satisfied(PrivacyModel model) {
    TupleHistogram h = histogram();
    EquivalenceClasses classes = EquivalenceClasses.of(h, new int[] {0});
    SensitiveContext context = new SensitiveContext(h, DISEASE);
    boolean[] result = new boolean[classes.count()];
    for (int c = 0; c < classes.count(); c++) {
      result[c] = model.satisfied(classes, c, context);
    }
    return result;
  }

  @Test
  void kAnonymity() {
    assertArrayEquals(new boolean[] {true, true}, satisfied(new PrivacyModel.KAnonymity(8)));
    assertArrayEquals(new boolean[] {false, false}, satisfied(new PrivacyModel.KAnonymity(9)));
  }

  @Test
  void lDiversity_variants() {
    assertArrayEquals(new boolean[] {true, true}, satisfied(new PrivacyModel.DistinctLDiversity(2)));
    // entropy of a: -(.75 ln .75 + .25 ln .25) = 0.562 < ln 2; of b: ln 2 exactly
    assertArrayEquals(new boolean[] {false, true}, satisfied(new PrivacyModel.EntropyLDiversity(2)));
    // recursive (c=2, l=2): a: 6 < 2*2 false; b: 4 < 2*4 true
    assertArrayEquals(new boolean[] {false, true}, satisfied(new PrivacyModel.RecursiveCLDiversity(2, 2)));
    assertArrayEquals(new boolean[] {true, true}, satisfied(new PrivacyModel.RecursiveCLDiversity(3.5, 2)));
  }

  @Test
  void tCloseness_groundDistances() {
    // global: flu 10/16, cold 2/16, ulcer 4/16; class a: 6/8, 2/8, 0 -> diff (+2/16, +2/16, -4/16)
    TupleHistogram h = histogram();
    EquivalenceClasses classes = EquivalenceClasses.of(h, new int[] {0});
    SensitiveContext context = new SensitiveContext(h, DISEASE);
    int a = classes.key(0, 0) == 0 ? 0 : 1;
    assertEquals(0.25, context.distance(PrivacyModel.GroundDistance.EQUAL, classes, a), 1e-12);
    // hierarchical: respiratory gathers +4/16 against digestive -4/16, crossing the root (level 2 of 2)
    assertEquals(0.25, context.distance(PrivacyModel.GroundDistance.HIERARCHICAL, classes, a), 1e-12);
    // ordered (cold < flu < ulcer): cumulative diffs +2/16, +4/16 -> (2+4)/16/2
    assertEquals(6.0 / 32, context.distance(PrivacyModel.GroundDistance.ORDERED, classes, a), 1e-12);
    assertTrue(new PrivacyModel.TCloseness(0.25, PrivacyModel.GroundDistance.EQUAL).satisfied(classes, a, context));
    assertFalse(new PrivacyModel.TCloseness(0.24, PrivacyModel.GroundDistance.EQUAL).satisfied(classes, a, context));
  }

  static void assertArrayEquals(boolean[] expected, boolean[] actual) {
    Assertions.assertArrayEquals(expected, actual);
  }

  @Test
  void localRecoding_adultK5_everyPartitionHoldsFive() {
    TupleHistogram adult = AdultData.histogram(false);
    List<int[]> partitions = LocalRecoding.partition(adult, List.of(new PrivacyModel.KAnonymity(5)), null);
    long total = 0;
    for (int[] rows : partitions) {
      long size = 0;
      for (int r : rows) {
        size += adult.count(r);
      }
      assertTrue(size >= 5, "partition of " + size);
      total += size;
    }
    assertEquals(30162, total);
    assertTrue(partitions.size() > 1000, "Mondrian splits Adult finely: " + partitions.size());
  }
}
