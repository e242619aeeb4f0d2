package dev.sparq.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The send deadline's interrupt is confined to the send it guards. CI once failed a fault-injection
 * run with "interrupted": the old watchdog decided to fire, the send finished and cleared the
 * interrupt flag, and only then did the watchdog's interrupt arrive, in the worker's next wait.
 */
class SendDeadlineTest {

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  /** A timer service that runs nothing by itself; the test fires the scheduled task by hand. */
  private static final class ManualTimers extends ScheduledThreadPoolExecutor {
    final List<Runnable> tasks = new ArrayList<>();

    ManualTimers() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      tasks.add(command);
      return new ScheduledFuture<Object>() {
        @Override public long getDelay(TimeUnit u) { return 0; }
        @Override public int compareTo(Delayed o) { return 0; }
        @Override public boolean cancel(boolean mayInterrupt) { return true; }
        @Override public boolean isCancelled() { return false; }
        @Override public boolean isDone() { return false; }
        @Override public Object get() { return null; }
        @Override public Object get(long t, TimeUnit u) { return null; }
      };
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      throw new AssertionError("not used");
    }
  }

  @Test
  void aDeadlineThatFiresInterruptsTheSendAndDisarmClearsThatInterrupt() {
    ManualTimers timers = new ManualTimers();
    SendDeadline d = SendDeadline.arm(timers, Duration.ofMillis(5));
    assertFalse(d.fired());
    timers.tasks.get(0).run();
    assertTrue(d.fired());
    assertTrue(Thread.currentThread().isInterrupted(), "the send is interrupted at the deadline");
    assertTrue(d.disarm());
    assertFalse(Thread.currentThread().isInterrupted(), "the deadline's interrupt is cleared");
    timers.shutdownNow();
  }

  @Test
  void aDeadlineFiringAfterDisarmDoesNothing() throws Exception {
    ManualTimers timers = new ManualTimers();
    SendDeadline d = SendDeadline.arm(timers, Duration.ofMillis(5));
    assertFalse(d.disarm());
    // The timer thread had already taken the task when the send finished: it runs now, late.
    Thread late = new Thread(timers.tasks.get(0));
    late.start();
    late.join();
    assertFalse(d.fired());
    assertFalse(Thread.currentThread().isInterrupted(), "a late deadline must not interrupt the worker");
    timers.shutdownNow();
  }

  @Test
  void anInterruptFromElsewhereIsKept() {
    ManualTimers timers = new ManualTimers();
    SendDeadline d = SendDeadline.arm(timers, Duration.ofMillis(5));
    Thread.currentThread().interrupt();
    assertFalse(d.disarm());
    assertTrue(Thread.interrupted(), "cancelling the caller's work must still reach it");
    timers.shutdownNow();
  }

  @Test
  void onlyTheArmingThreadMayDisarm() throws Exception {
    ManualTimers timers = new ManualTimers();
    SendDeadline d = SendDeadline.arm(timers, Duration.ofMillis(5));
    Throwable[] seen = new Throwable[1];
    Thread other = new Thread(() -> seen[0] = assertThrows(IllegalStateException.class, d::disarm));
    other.start();
    other.join();
    assertTrue(seen[0] != null);
    assertFalse(d.disarm());
    timers.shutdownNow();
  }

  /**
   * Races real timers against sends that end right at the deadline. Every interrupt the worker
   * sees outside a guarded section is a stray one; there must be none.
   */
  @Test
  void noInterruptEscapesARaceBetweenTheDeadlineAndTheEndOfTheSend() {
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    timers.setRemoveOnCancelPolicy(true);
    SplittableRandom rnd = new SplittableRandom(7);
    int fired = 0;
    int stray = 0;
    try {
      for (int i = 0; i < 20_000; i++) {
        long work = rnd.nextLong(0, 40_000);
        SendDeadline d = SendDeadline.arm(timers, Duration.ofNanos(rnd.nextLong(0, 40_000)));
        long end = System.nanoTime() + work;
        while (System.nanoTime() < end) {
          Thread.onSpinWait();
        }
        if (d.disarm()) {
          fired++;
        }
        // A stray interrupt would arrive within the timer thread's next few instructions.
        for (int k = 0; k < 200; k++) {
          Thread.onSpinWait();
        }
        if (Thread.interrupted()) {
          stray++;
        }
      }
    } finally {
      timers.shutdownNow();
    }
    assertTrue(fired > 0, "the race was never run: no deadline fired");
    assertEquals(0, stray, "interrupts that arrived after their send was over");
  }
}
