package dev.sparq.core;

import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;

/**
 * The result of one item of a batch stage: either a value or a {@link Rejection}. Stages return one
 * outcome per input, in input order.
 *
 * @param <T> the value type
 */
public final class Outcome<T> {
  private final T value;
  private final Rejection rejection;

  private Outcome(T value, Rejection rejection) {
    this.value = value;
    this.rejection = rejection;
  }

  public static <T> Outcome<T> of(T value) {
    return new Outcome<>(Objects.requireNonNull(value, "value"), null);
  }

  public static <T> Outcome<T> rejected(Rejection rejection) {
    return new Outcome<>(null, Objects.requireNonNull(rejection, "rejection"));
  }

  public static <T> Outcome<T> rejected(String reason, String detail) {
    return rejected(Rejection.of(reason, detail));
  }

  public boolean isPresent() {
    return value != null;
  }

  /** The value; throws if this outcome is a rejection. */
  public T value() {
    if (value == null) {
      throw new NoSuchElementException("rejected: " + rejection.reason());
    }
    return value;
  }

  /** The rejection; throws if this outcome has a value. */
  public Rejection rejection() {
    if (rejection == null) {
      throw new NoSuchElementException("outcome has a value");
    }
    return rejection;
  }

  public <U> Outcome<U> map(Function<? super T, ? extends U> f) {
    return value != null ? Outcome.of(f.apply(value)) : Outcome.rejected(rejection);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Outcome<?> other
        && Objects.equals(value, other.value)
        && Objects.equals(rejection, other.rejection);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, rejection);
  }

  @Override
  public String toString() {
    return value != null ? "Outcome[" + value + "]" : "Outcome[rejected " + rejection + "]";
  }
}
