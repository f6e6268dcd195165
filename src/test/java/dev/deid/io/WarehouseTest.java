package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.config.OutputFormat;
import dev.deid.config.OutputSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Computed locations stay in their zone, whatever name reaches them. */
class WarehouseTest {
  static OutputSpec output(String name, String audience) {
    return new OutputSpec(0, name, "s", audience, "p", OutputFormat.DELTA, List.of("c"), null, List.of());
  }

  @Test
  void output_plainNames_landInTheirZone() {
    Warehouse w = new Warehouse("s3a://bucket/wh/");
    assertEquals("s3a://bucket/wh/analysts/orders", w.output(output("orders", "analysts")));
    assertEquals("s3a://bucket/wh/partners/acme/orders", w.output(output("orders", "partner:acme")));
  }

  @Test
  void output_namesThatClimbOut_areRefused() {
    Warehouse w = new Warehouse("/wh");
    for (String name : new String[] {"../../raw/customers", "..", "a/b", "s3a:x", "", "_deid"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.output(output(name, "analysts")),
          "'" + name + "' must be refused");
      assertTrue(e.getMessage().contains("Cannot place"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> w.output(output("x", "partner:../../raw")));
  }

  @Test
  void jobZoneOf_findsTheJobsOwnTablesHoweverTheyAreSpelled() {
    Warehouse w = new Warehouse("/wh");
    assertEquals("_deid", w.jobZoneOf("/wh/_deid/privacy_budget"));
    assertEquals("analysts", w.jobZoneOf("/wh/raw/../analysts/orders"));
    assertEquals("_deid", w.jobZoneOf("file:/wh/_deid/audit"));
    assertEquals(null, w.jobZoneOf("/wh/raw/orders"));
    assertEquals(null, w.jobZoneOf("/wh/analysts_old/orders"));
    Warehouse s3 = new Warehouse("s3a://bucket/wh");
    assertEquals("partners", s3.jobZoneOf("s3a://bucket/wh/partners/acme/orders"));
    assertEquals(null, s3.jobZoneOf("s3a://other/wh/partners/acme/orders"));
  }

  @Test
  void reportDirectory_jobNameThatClimbsOut_isRefused() {
    assertEquals("/wh/reports/job", new Warehouse("/wh").reportDirectory("job"));
    assertThrows(IllegalArgumentException.class, () -> new Warehouse("/wh").reportDirectory(".."));
  }
}
