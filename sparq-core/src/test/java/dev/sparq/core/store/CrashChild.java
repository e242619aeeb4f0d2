package dev.sparq.core.store;

import dev.sparq.core.engine.IterationEvent;
import dev.sparq.core.engine.SparqListener;
import java.nio.file.Path;

/**
 * The process {@link CrashResumeTest} kills: runs (or resumes) a run directory, sleeping a little
 * after each iteration so that the kills land at varied moments.
 * Arguments: run directory, iterations, checkpoint interval, sleep per iteration in ms, and
 * optionally {@code async} for the asynchronous mode ({@link AsyncCrashResumeTest}).
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long iterations = Long.parseLong(args[1]);
    int every = Integer.parseInt(args[2]);
    long sleep = Long.parseLong(args[3]);
    boolean async = args.length > 4 && args[4].equals("async");
    try (SparqRun run = SparqRun.builder(dir, (async ? AsyncCrashResumeTest.engine(iterations)
        : CrashResumeTest.engine(iterations)).listener(
        new SparqListener() {
          @Override
          public void onIteration(IterationEvent event) {
            try {
              Thread.sleep(sleep);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        })).checkpointEvery(every).logOptions(CrashResumeTest.OPTIONS).open()) {
      System.out.println((run.resumed() ? "resumed at " : "started at ") + run.engine().iteration());
      run.run();
    }
  }
}
