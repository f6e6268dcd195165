package dev.deid.pipeline;

import dev.deid.config.OutputFormat;
import dev.deid.config.OutputSpec;
import dev.deid.errors.Errors;
import dev.deid.privacy.Pseudonymizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A key id that stays the same while its secret changes would silently break every join with
 * earlier outputs, so it is refused before anything changes; a new key id is a visible rotation
 * and is recorded. This holds for every audience and format: Delta outputs carry the key id and
 * check value as table properties, partner extracts in their current manifest. The result maps
 * each existing output to the key id it was written with.
 */
final class KeyContinuity implements Stage<KeyContinuity.Result> {
  record Result(Map<String, String> previousKeyIds) {
    Result {
      previousKeyIds = Map.copyOf(previousKeyIds);
    }
  }

  @Override
  public String name() {
    return "key_check";
  }

  @Override
  public Result run(RunContext context) {
    Map<String, String> previous = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (OutputSpec output : context.spec().outputs()) {
      String location = context.options().warehouse().output(output);
      Map<String, String> properties = output.format() != OutputFormat.DELTA ? context.store().extractProperties(location)
          : context.store().exists(location) ? context.store().properties(location) : null;
      if (properties == null) {
        continue;
      }
      String oldId = properties.get("deid.key_id");
      if (oldId == null) {
        continue;
      }
      previous.put(output.name(), oldId);
      Pseudonymizer pz = context.pseudonymizer(output.audience());
      if (oldId.equals(pz.keyId()) && !pz.checkValue().equals(properties.get("deid.key_check"))) {
        problems.add(Errors.changedKeySecret(output.name(), output.path() + ".audience", output.audience(), oldId));
      }
    }
    if (!problems.isEmpty()) {
      throw Errors.all(problems);
    }
    return new Result(previous);
  }
}
