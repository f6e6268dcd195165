package dev.deid;

/** YAML fragments shared by tests that write their own small job specs. */
public final class TestSpecs {
  private TestSpecs() {}

  /**
   * The sample customers table with every column classified and dropped except the id
   * (pseudonymized) and {@code city}, whose action is given; indented as an entry of {@code sources:}.
   */
  public static String customersSource(String cityAction) {
    return """
          customers:
            subjectColumn: customer_id
            columns:
              customer_id: {class: direct_identifier, action: pseudonymize}
              name: {class: direct_identifier, action: drop}
              email: {class: direct_identifier, action: drop}
              mobile: {class: direct_identifier, action: drop}
              resident_id: {class: direct_identifier, action: drop}
              birth_date: {class: quasi_identifier, action: drop}
              gender: {class: quasi_identifier, action: drop}
              postcode: {class: quasi_identifier, action: drop}
              city: {class: quasi_identifier, action: CITY_ACTION}
              province: {class: quasi_identifier, action: drop}
              signup_at: {class: insensitive, action: drop}
              last_activity_at: {class: insensitive, action: drop}
              consent_analytics: {class: insensitive, action: drop}
              consent_partner_sharing: {class: insensitive, action: drop}
              consent_marketing: {class: insensitive, action: drop}
        """.replace("CITY_ACTION", cityAction);
  }

  /**
   * The sample orders table as source {@code name} reading raw table {@code table}, every column
   * kept (ids dropped or pseudonymized); indented as an entry of {@code sources:}.
   */
  public static String ordersSource(String name, String table) {
    return """
          NAME:
            table: TABLE
            subjectColumn: customer_id
            columns:
              order_id: {class: direct_identifier, action: drop}
              customer_id: {class: direct_identifier, action: pseudonymize}
              order_ts: {class: insensitive, action: keep}
              amount: {class: sensitive, action: keep}
              category: {class: insensitive, action: keep}
              store_region: {class: insensitive, action: keep}
        """.replace("NAME", name).replace("TABLE", table);
  }
}
