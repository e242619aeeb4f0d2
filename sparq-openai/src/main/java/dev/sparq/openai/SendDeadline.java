package dev.sparq.openai;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts the thread that armed it when a deadline passes, unless that thread disarms it
 * first. Firing and disarming exclude each other: the interrupt is delivered while the lock is
 * held, so once {@link #disarm()} returns no interrupt of this deadline can still arrive, and the
 * one it delivered (if any) has been cleared. Without that, an interrupt decided just before the
 * send finished could land on the worker later, in the next attempt's wait or send, and fail a
 * call that had not timed out.
 */
final class SendDeadline {
  private final Thread target;
  private final ScheduledFuture<?> task;
  private boolean finished;
  private boolean fired;

  private SendDeadline(Thread target, ScheduledExecutorService timers, Duration timeout) {
    this.target = target;
    this.task = timers.schedule(this::fire, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Arms a deadline {@code timeout} from now for the calling thread. */
  static SendDeadline arm(ScheduledExecutorService timers, Duration timeout) {
    return new SendDeadline(Thread.currentThread(), timers, timeout);
  }

  private synchronized void fire() {
    if (!finished) {
      fired = true;
      target.interrupt();
    }
  }

  /** Whether the deadline passed and interrupted the thread (so far). */
  synchronized boolean fired() {
    return fired;
  }

  /**
   * Stops the deadline. Called by the thread that armed it, once the guarded work is over. When
   * the deadline fired, the thread's interrupt status is cleared (the interrupt was meant for the
   * guarded work only); when it did not, the status is left as it is.
   *
   * @return whether the deadline had fired
   */
  boolean disarm() {
    if (Thread.currentThread() != target) {
      throw new IllegalStateException("disarm() must be called by the thread that armed it");
    }
    task.cancel(false);
    boolean wasFired;
    synchronized (this) {
      finished = true;
      wasFired = fired;
    }
    if (wasFired) {
      Thread.interrupted();
    }
    return wasFired;
  }
}
