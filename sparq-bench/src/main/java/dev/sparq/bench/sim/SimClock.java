package dev.sparq.bench.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated clock for one or more {@link BatchCostModel}s, so that several simulated servers
 * (a generator server and a solver server, say) share one notion of wall time: a server that has
 * nothing to do while another decodes is idle for that time, as a real GPU would be.
 *
 * <p>A scheduler thread owns the models. It waits until the clients have been quiet (no new
 * request) for {@code quiet} real time, starts a decode step on every model that has work and no
 * step running, and ends the step that ends first on the shared clock, repeating until a step
 * finishes at least one request; it then completes those requests' futures and waits for quiet
 * again. A request therefore joins the next step its server starts after it arrives, and the
 * answers a client sends in reaction to a completion arrive at the simulated moment of that
 * completion (the client's processing time is not charged). No simulated time passes while no
 * model has work.
 *
 * <p>With one model this is exactly the clock {@link SimulatedInferenceServer} always had.
 */
public final class SimClock implements AutoCloseable {
  private final long quietNanos;
  private final Object lock = new Object();
  private final List<BatchCostModel> models = new ArrayList<>();
  private final Thread scheduler;
  private long lastActivity;
  private double now;
  private volatile boolean closed;

  /**
   * Starts the clock's scheduler thread.
   *
   * @param quiet how long the clients must send nothing before the clock moves on (40 ms on a
   *     loaded machine)
   */
  public SimClock(Duration quiet) {
    this.quietNanos = quiet.toNanos();
    this.scheduler = new Thread(this::schedule, "sim-gpu");
    scheduler.setDaemon(true);
    scheduler.start();
  }

  /** Adds a model to this clock; its requests' tags must be {@link CompletableFuture}s. */
  public BatchCostModel add(BatchCostModel.Params params) {
    BatchCostModel m = new BatchCostModel(params);
    synchronized (lock) {
      models.add(m);
    }
    return m;
  }

  /** Queues a request on {@code model} at the current simulated time. */
  public void submit(BatchCostModel model, BatchCostModel.Request request) {
    synchronized (lock) {
      model.submit(request);
      lastActivity = System.nanoTime();
      lock.notifyAll();
    }
  }

  /** Runs {@code reader} under the clock's lock, for a consistent reading of its models. */
  public <T> T read(java.util.function.Function<Double, T> reader) {
    synchronized (lock) {
      return reader.apply(now);
    }
  }

  private boolean idle() {
    for (BatchCostModel m : models) {
      if (!m.idle()) {
        return false;
      }
    }
    return true;
  }

  private void schedule() {
    synchronized (lock) {
      try {
        while (!closed) {
          if (idle()) {
            lock.wait(5);
            continue;
          }
          long quietFor = System.nanoTime() - lastActivity;
          if (quietFor < quietNanos) {
            long wait = quietNanos - quietFor;
            lock.wait(wait / 1_000_000, (int) (wait % 1_000_000));
            continue;
          }
          List<BatchCostModel.Request> done = new ArrayList<>();
          while (done.isEmpty() && !idle()) {
            BatchCostModel first = null;
            for (BatchCostModel m : models) {
              if (!m.inStep()) {
                m.beginStep(now);
              }
              if (m.inStep() && (first == null || m.stepEnd() < first.stepEnd())) {
                first = m;
              }
            }
            now = first.stepEnd();
            first.endStep();
            done.addAll(first.drainCompleted());
          }
          for (BatchCostModel.Request r : done) {
            ((CompletableFuture<?>) r.tag()).complete(null);
          }
          lastActivity = System.nanoTime();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    scheduler.interrupt();
  }
}
