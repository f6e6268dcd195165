package dev.deid.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable copies for the spec records, so that a validated spec cannot change after validation.
 * {@code Map.copyOf} would lose the spec's order, which reports and outputs keep.
 */
final class Copies {
  private Copies() {}

  static <K, V> Map<K, V> orderedMap(Map<K, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  static <T> List<List<T>> nestedList(List<List<T>> lists) {
    return lists == null ? null : lists.stream().map(List::copyOf).toList();
  }
}
