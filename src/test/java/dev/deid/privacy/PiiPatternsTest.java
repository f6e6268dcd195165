package dev.deid.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.Set;
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
  void redact_typedVariants_areReplacedToo() {
    assertEquals("身份证 <resident-id>", PiiPatterns.redact("身份证 110105 19491231 002x"));
    assertEquals("id <resident-id>.", PiiPatterns.redact("id 110105-1949-1231-002X."));
    assertEquals("call <phone>", PiiPatterns.redact("call 0086-138-1234-5678"));
    assertEquals("座机 <phone>", PiiPatterns.redact("座机 (010) 6512 3456"));
    assertEquals("tel <phone>", PiiPatterns.redact("tel 0755-2345678"));
    assertEquals("mail <email>", PiiPatterns.redact("mail li.si+orders@mail.corp.example.com.cn"));
    assertEquals("from <ip> and <ip>", PiiPatterns.redact("from 192.168.10.254 and 2001:db8::8a2e:370:7334"));
    assertEquals("<address>，谢谢", PiiPatterns.redact("寄到北京市朝阳区建国路88号，谢谢"));
    assertEquals("ship to <address> please", PiiPatterns.redact("ship to 221B Baker Street please"));
  }

  @Test
  void detect_findsOnlyValidInstances_forTheLeakGuard() {
    assertEquals(Set.of("resident_id"), PiiPatterns.detect("身份证 11010519491231002X"));
    assertEquals(Set.of(), PiiPatterns.detect("11010519491231002Y"), "a wrong check character is no resident ID");
    assertEquals(Set.of("card_number"), PiiPatterns.detect("card 4111 1111 1111 1111"));
    assertEquals(Set.of(), PiiPatterns.detect("ref 4111 1111 1111 1112"), "a number failing Luhn is no card number");
    assertEquals(Set.of("email", "mobile"), PiiPatterns.detect("a@b.cn 13812345678"));
    assertEquals(Set.of("landline"), PiiPatterns.detect("010-65123456"));
    assertEquals(Set.of("ipv4"), PiiPatterns.detect("host 10.0.0.1"));
    assertEquals(Set.of(), PiiPatterns.detect("订单 12345 送货很快，评分 4.5"));
    assertEquals(Set.of(), PiiPatterns.detect("2026-11-01 08:30:00"), "timestamps are not phone numbers");
    assertEquals("passport", PiiPatterns.wholeValue("E12345678"), "a passport number as a whole value");
    assertEquals("email", PiiPatterns.wholeValue(" a.b@c.cn "));
    assertEquals(null, PiiPatterns.wholeValue("write to a.b@c.cn"), "a comment holding one is not an e-mail column");
  }

  /**
   * The shortcut before the regular expressions never hides a match: over the smallest instance of
   * each pattern (the domestic landline "010 2345678" has 10 digits, the +86 one 11, so a bound
   * above 10 fails here) and 300,000 seeded random strings drawn from the characters the patterns
   * use, every text {@code detectAll} finds something in passes {@link PiiPatterns#mayHoldAny}.
   */
  @Test
  void detectShortcut_neverSkipsATextHoldingAPattern() {
    List<String> smallest = List.of("a@b.cn", "::1", "1.2.3.4", "010 2345678", "(010)2345678", "+86 10 2345678",
        "13812345678", "11010519491231002X", "4111111111111111", "400000000000000" + "2");
    for (String text : smallest) {
      assertTrue(!PiiPatterns.detectAll(text).isEmpty(), "a pattern instance: " + text);
      assertTrue(PiiPatterns.mayHoldAny(text), "the shortcut must let through " + text);
    }
    String alphabet = "0123456789012345678901234567890123456789 .-+()@:Xab上";
    Random random = new Random(20261202);
    int matched = 0;
    for (int n = 0; n < 300_000; n++) {
      StringBuilder text = new StringBuilder();
      int length = 1 + random.nextInt(22);
      for (int i = 0; i < length; i++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      if (!PiiPatterns.detectAll(text.toString()).isEmpty()) {
        matched++;
        assertTrue(PiiPatterns.mayHoldAny(text.toString()), "skipped a text holding a pattern: " + text);
      }
    }
    assertTrue(matched > 1_000, "the random texts must hold patterns often enough to test the shortcut: " + matched);
    assertTrue(!PiiPatterns.mayHoldAny("*******1234") && !PiiPatterns.mayHoldAny("30-39") && !PiiPatterns.mayHoldAny("上海"),
        "masked values, bands and names skip the expressions");
  }

  @Test
  void luhn_acceptsValidCardNumbers_andRejectsOthers() {
    assertTrue(PiiPatterns.luhn("4111111111111111"));
    assertFalse(PiiPatterns.luhn("4111111111111112"));
    assertFalse(PiiPatterns.luhn("41111111"), "too short for a card");
  }

  @Test
  void redact_ordinaryTextAndShortNumbers_areKept() {
    assertEquals("订单 12345 送货很快", PiiPatterns.redact("订单 12345 送货很快"));
    assertEquals("rating 5/5", PiiPatterns.redact("rating 5/5"));
  }
}
