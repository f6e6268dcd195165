package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.config.JobSpec;
import dev.deid.config.SpecLoader;
import dev.deid.errors.DeidException;
import dev.deid.io.InMemoryTableStore;
import dev.deid.io.KeyRing;
import dev.deid.io.Publications;
import dev.deid.io.Warehouse;
import dev.deid.privacy.PseudonymKey;
import dev.deid.privacy.Pseudonymizer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The key-continuity decision alone, on table metadata held in memory: no Spark. */
class KeyContinuityTest {
  static final JobSpec SPEC = SpecLoader.parse("""
      name: t
      consent: {source: people, subjectColumn: id, purposes: {analytics: ok}}
      sources:
        people:
          subjectColumn: id
          columns:
            id: {class: direct_identifier, action: pseudonymize}
            ok: {class: insensitive, action: drop}
      outputs:
        - {name: people_out, source: people, audience: analysts, purpose: analytics, columns: [id]}
        - {name: people_ext, source: people, audience: "partner:acme", purpose: analytics, columns: [id]}
      """, "t.yaml");
  static final String EXTRACT = "/wh/partners/acme/people_ext";
  static final Warehouse WAREHOUSE = new Warehouse("/wh");
  static final String TABLE = "/wh/analysts/people_out";

  static Pseudonymizer key(String id, int seed) {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) seed);
    return new Pseudonymizer(new PseudonymKey(id, secret));
  }

  static KeyContinuity.Result run(InMemoryTableStore store, Pseudonymizer current) {
    RunContext context = new RunContext(SPEC, new RunOptions(WAREHOUSE, new KeyRing(Map.of(), null), Instant.EPOCH), store,
        "run-1", Map.of("analysts", current, "partner:acme", current), null, Map.of(), Map.of(), null, UnaryOperator.identity(), Map.of(),
        new Publications(SPEC.vacuum()), Map.of());
    return new KeyContinuity().run(context);
  }

  @Test
  void run_noEarlierOutput_recordsNothing() {
    assertEquals(Map.of(), run(new InMemoryTableStore(), key("k1", 1)).previousKeyIds());
  }

  @Test
  void run_sameKey_recordsItsId() {
    Pseudonymizer k1 = key("k1", 1);
    InMemoryTableStore store = new InMemoryTableStore().table(TABLE, Map.of("deid.key_id", "k1", "deid.key_check", k1.checkValue()));
    assertEquals(Map.of("people_out", "k1"), run(store, k1).previousKeyIds());
  }

  @Test
  void run_rotatedKeyWithNewId_isAVisibleRotation() {
    InMemoryTableStore store = new InMemoryTableStore().table(TABLE,
        Map.of("deid.key_id", "k1", "deid.key_check", key("k1", 1).checkValue()));
    assertEquals(Map.of("people_out", "k1"), run(store, key("k2", 2)).previousKeyIds());
  }

  @Test
  void run_secretChangedUnderTheSameId_isRefusedNamingTheFix() {
    InMemoryTableStore store = new InMemoryTableStore().table(TABLE,
        Map.of("deid.key_id", "k1", "deid.key_check", key("k1", 1).checkValue()));
    DeidException e = assertThrows(DeidException.class, () -> run(store, key("k1", 9)));
    assertTrue(e.getMessage().contains("outputs[0].audience") && e.getMessage().contains("secret changed")
        && e.getMessage().contains("fix:"), e.getMessage());
  }

  @Test
  void run_partnerExtractWhoseKeySecretChangedUnderItsId_isRefused() {
    Pseudonymizer old = key("acme-1", 1);
    InMemoryTableStore store = new InMemoryTableStore()
        .extract(EXTRACT, Map.of("deid.key_id", "acme-1", "deid.key_check", old.checkValue()));
    assertEquals(Map.of("people_ext", "acme-1"), run(store, old).previousKeyIds());
    DeidException e = assertThrows(DeidException.class, () -> run(store, key("acme-1", 2)));
    assertTrue(e.getMessage().contains("people_ext") && e.getMessage().contains("still has id 'acme-1' but its secret changed"),
        e.getMessage());
  }
}
