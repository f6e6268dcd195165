package dev.deid.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PiiPatternsTest {
  @Test
  void redact_eachKindOfIdentifier_isReplaced() {
    assertEquals("请联系 <email> 谢谢", PiiPatterns.redact("请联系 zhang.san@qq.com 谢谢"));
    assertEquals("电话 <phone>", PiiPatterns.redact("电话 13812345678"));
    assertEquals("call <phone> now", PiiPatterns.redact("call +86 138 1234 5678 now"));
    assertEquals("身份证 <resident-id>", PiiPatterns.redact("身份证 11010519491231002X"));
    assertEquals("card <card-number>", PiiPatterns.redact("card 6222 0212 3456 7890"));
  }

  @Test
  void redact_ordinaryTextAndShortNumbers_areKept() {
    assertEquals("订单 12345 送货很快", PiiPatterns.redact("订单 12345 送货很快"));
    assertEquals("rating 5/5", PiiPatterns.redact("rating 5/5"));
  }
}
