package dev.deid.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChineseIdsTest {
  @Test
  void checkCharacter_publishedExamples_match() {
    // The GB 11643-1999 standard's worked example and a common textbook one.
    assertEquals('X', ChineseIds.checkCharacter("11010519491231002"));
    assertEquals('4', ChineseIds.checkCharacter("44052418800101001"));
    assertTrue(ChineseIds.isValidResidentId("11010519491231002X"));
  }

  @Test
  void isValidResidentId_wrongCheckOrLength_isFalse() {
    assertFalse(ChineseIds.isValidResidentId("110105194912310021"));
    assertFalse(ChineseIds.isValidResidentId("11010519491231002"));
    assertFalse(ChineseIds.isValidResidentId(null));
  }

  @Test
  void isMobileNumber_mainlandNumbers() {
    assertTrue(ChineseIds.isMobileNumber("13812345678"));
    assertFalse(ChineseIds.isMobileNumber("12812345678"));
    assertFalse(ChineseIds.isMobileNumber("1381234567"));
  }
}
