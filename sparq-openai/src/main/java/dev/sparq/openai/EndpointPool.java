package dev.sparq.openai;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The endpoints of one model, their in-flight counts and health. {@link #acquire()} hands out the
 * healthy endpoint with the fewest requests in flight (ties: round robin) that is below its
 * concurrency limit, waiting when there is none; {@link #release} returns it with the outcome.
 */
final class EndpointPool {

  /** What became of an attempt, for health tracking. */
  enum Outcome {
    SUCCESS,
    /** A retryable failure: counts towards resting the endpoint. */
    FAILURE,
    /** Says nothing about the endpoint's health (client error, cancellation). */
    NEUTRAL
  }

  /** One endpoint with its resolved settings, counters and (lock-guarded) health state. */
  static final class State {
    final Endpoint endpoint;
    final String name;
    final URI uri;
    final String model;
    final int limit;
    final ApiKey key;
    final Duration timeout;
    /** The builder's extra fields, then the endpoint's own. */
    /** The description of the last failed attempt (guarded by the pool's lock); null before one. */
    String lastFailure;
    final Map<String, Object> extraBody;
    private volatile NSupport nSupport;
    /** The largest {@code n} this endpoint takes: learned by halving after refusals. */
    private volatile int nLimit = Integer.MAX_VALUE;
    /** Set once the missing-usage warning was logged for this endpoint. */
    final AtomicBoolean usageWarned = new AtomicBoolean();

    final LongAdder attempts = new LongAdder();
    final LongAdder responses = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
    final LongAdder rests = new LongAdder();
    final LongAdder estimatedUsage = new LongAdder();
    final Map<FailureKind, LongAdder> failures = new EnumMap<>(FailureKind.class);

    // Guarded by the pool's lock.
    private int outstanding;
    private int consecutiveFailures;
    private int restsInRow;
    private long restUntil;
    private boolean resting;

    State(Endpoint endpoint, URI uri, String model, int limit, ApiKey key, NSupport nSupport,
        Duration timeout, Map<String, Object> extraBody) {
      this.endpoint = endpoint;
      this.timeout = timeout;
      this.extraBody = extraBody;
      this.name = endpoint.displayName();
      this.uri = uri;
      this.model = model;
      this.limit = limit;
      this.key = key;
      this.nSupport = nSupport;
      for (FailureKind k : FailureKind.values()) {
        failures.put(k, new LongAdder());
      }
    }

    NSupport nSupport() {
      return nSupport;
    }

    /** The most choices one request may ask for here now (1 when fanning out). */
    int nLimit() {
      return nSupport == NSupport.FAN_OUT ? 1 : nLimit;
    }

    /**
     * Lowers the {@code n} limit of an {@link NSupport#AUTO} endpoint to {@code limit} (at least
     * 1); at 1 the endpoint fans out. Returns the new limit when this call lowered it, else 0.
     */
    synchronized int learnNLimit(int limit) {
      int l = Math.max(1, limit);
      if (nSupport != NSupport.AUTO || l >= nLimit) {
        return 0;
      }
      nLimit = l;
      if (l == 1) {
        nSupport = NSupport.FAN_OUT;
      }
      return l;
    }
  }

  /** Called (outside the lock) when an endpoint is rested. */
  interface RestListener {
    void rested(State state, Duration restFor, int consecutiveFailures, String lastFailure);
  }

  private final List<State> states;
  private final HealthPolicy health;
  private final RestListener restListener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private int next;

  EndpointPool(List<State> states, HealthPolicy health, RestListener restListener) {
    this.states = List.copyOf(states);
    this.health = health;
    this.restListener = restListener;
  }

  List<State> states() {
    return states;
  }

  /** The largest {@code n} any endpoint takes now: how big a chunk of samples to ask for. */
  int largestNLimit() {
    int best = 1;
    for (State s : states) {
      best = Math.max(best, s.nLimit());
    }
    return best;
  }

  /** True when every endpoint sends one request per sample. */
  boolean allFanOut() {
    for (State s : states) {
      if (s.nSupport() != NSupport.FAN_OUT) {
        return false;
      }
    }
    return true;
  }

  /**
   * Takes a slot on the best endpoint: not resting, below its limit, fewest in flight. Waits while
   * every endpoint is full or resting (at most until the earliest rest ends, then re-checks).
   */
  State acquire() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (true) {
        long now = System.nanoTime();
        State best = null;
        long wait = Long.MAX_VALUE;
        int size = states.size();
        for (int k = 0; k < size; k++) {
          State s = states.get((next + k) % size);
          if (s.resting) {
            long left = s.restUntil - now;
            if (left > 0) {
              wait = Math.min(wait, left);
              continue;
            }
            s.resting = false;
          }
          if (s.outstanding >= s.limit) {
            continue;
          }
          if (best == null || s.outstanding < best.outstanding) {
            best = s;
          }
        }
        if (best != null) {
          best.outstanding++;
          next = (next + 1) % size;
          return best;
        }
        if (wait == Long.MAX_VALUE) {
          changed.await();
        } else {
          changed.awaitNanos(wait);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Returns a slot taken by {@link #acquire()}, updating the endpoint's health. */
  void release(State s, Outcome outcome) {
    release(s, outcome, null);
  }

  /**
   * Returns a slot taken by {@link #acquire()}, updating the endpoint's health; {@code failure}
   * describes a {@link Outcome#FAILURE} (status and cause, already redacted) and is kept as the
   * endpoint's last failure, named when the endpoint is rested.
   */
  void release(State s, Outcome outcome, String failure) {
    Duration restFor = null;
    int failuresInRow = 0;
    String lastFailure = null;
    lock.lock();
    try {
      s.outstanding--;
      if (outcome == Outcome.SUCCESS) {
        s.consecutiveFailures = 0;
        s.restsInRow = 0;
      } else if (outcome == Outcome.FAILURE) {
        s.consecutiveFailures++;
        if (failure != null) {
          s.lastFailure = failure;
        }
        long now = System.nanoTime();
        boolean alreadyResting = s.resting && s.restUntil - now > 0;
        if (!alreadyResting && s.consecutiveFailures >= health.failureThreshold()) {
          s.restsInRow++;
          restFor = health.rest(s.restsInRow);
          s.resting = true;
          s.restUntil = now + restFor.toNanos();
          failuresInRow = s.consecutiveFailures;
          lastFailure = s.lastFailure;
          // After the rest one more failure rests it again (the first request is a probe).
          s.consecutiveFailures = health.failureThreshold() - 1;
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (restFor != null) {
      s.rests.increment();
      restListener.rested(s, restFor, failuresInRow, lastFailure);
    }
  }

  /** The counters of every endpoint. */
  OpenAiMetrics metrics() {
    List<EndpointStats> out = new ArrayList<>(states.size());
    for (State s : states) {
      int inFlight;
      lock.lock();
      try {
        inFlight = s.outstanding;
      } finally {
        lock.unlock();
      }
      Map<FailureKind, Long> failures = new EnumMap<>(FailureKind.class);
      s.failures.forEach((k, v) -> {
        long c = v.sum();
        if (c > 0) {
          failures.put(k, c);
        }
      });
      out.add(new EndpointStats(
          s.name,
          s.attempts.sum(),
          s.responses.sum(),
          s.retries.sum(),
          failures,
          s.promptTokens.sum(),
          s.completionTokens.sum(),
          s.rests.sum(),
          inFlight,
          s.estimatedUsage.sum()));
    }
    return OpenAiMetrics.of(out);
  }

  /** Whether {@code s} is resting now (for tests and diagnostics). */
  boolean resting(State s) {
    lock.lock();
    try {
      return s.resting && s.restUntil - System.nanoTime() > 0;
    } finally {
      lock.unlock();
    }
  }

}
