package dev.deid.privacy.dp;

import java.util.ArrayList;
import java.util.List;

/**
 * A test-only mechanism factory that adds no noise and records every mechanism asked for, so that
 * tests can check the released values exactly and the budget and sensitivity each one was given.
 * Its mechanisms report the standard deviation and 95 % bound the real ones would have.
 */
public final class ZeroNoise implements Mechanisms {
  /** One mechanism requested: its kind, sensitivity and budget (ε for Laplace, ρ for Gaussian). */
  public record Call(String kind, double sensitivity, double budget) {}

  private final Mechanisms real = new DiscreteMechanisms(new DiscreteNoise(new SeededRandomSource(1)));
  public final List<Call> calls = new ArrayList<>();

  @Override
  public Mechanism laplace(long l1, double epsilon) {
    calls.add(new Call("laplace", l1, epsilon));
    return exact(real.laplace(l1, epsilon));
  }

  @Override
  public Mechanism gaussian(double l2, double rho) {
    calls.add(new Call("gaussian", l2, rho));
    return exact(real.gaussian(l2, rho));
  }

  private static Mechanism exact(Mechanism calibrated) {
    return new Mechanisms.Fixed(calibrated.budget(), calibrated.sensitivity(), calibrated.standardDeviation(),
        calibrated.errorBound95(), "zero noise") {
      @Override
      public long noised(long trueValue) {
        return trueValue;
      }
    };
  }
}
