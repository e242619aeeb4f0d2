package dev.sparq.onnx;

import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.sparq.core.ModelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ONNX Runtime sessions from {@link OnnxOptions}, the same way for every model this module
 * loads (decoders, their helper graphs, sentence encoders): optimisation level, intra-op threads,
 * spinning, and the CUDA provider with its device and memory limit. When CUDA is asked for but the
 * provider is missing or does not load, the session runs on the CPU with a warning.
 */
public final class OnnxSessions {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);

  /** Stack of the thread that creates the ONNX Runtime environment. */
  static final long ENVIRONMENT_STACK_BYTES = 256L << 20;

  private static volatile OrtEnvironment environment;

  private OnnxSessions() {}

  /**
   * The process-wide ONNX Runtime environment, created once on a dedicated thread with a 256 MB
   * stack. ONNX Runtime 1.29's Java binding kills the JVM (SIGSEGV, no hs_err file) inside
   * {@code OrtEnvironment.getEnvironment()} when the java command line is longer than about
   * 3,500-4,000 characters, because native recursion grows with that length; on a large stack it
   * completes. Every class of this module gets its environment here, before any other ONNX
   * Runtime call. If some other code calls {@code OrtEnvironment.getEnvironment()} first, start
   * the JVM with {@code -Xss16m}.
   *
   * @throws ModelException when ONNX Runtime cannot start
   */
  public static OrtEnvironment environment() {
    OrtEnvironment e = environment;
    if (e != null) {
      return e;
    }
    synchronized (OnnxSessions.class) {
      if (environment == null) {
        OrtEnvironment[] made = new OrtEnvironment[1];
        Throwable[] failed = new Throwable[1];
        Thread t = new Thread(null, () -> {
          try {
            made[0] = OrtEnvironment.getEnvironment();
          } catch (Throwable x) {
            failed[0] = x;
          }
        }, "sparq-ort-environment", ENVIRONMENT_STACK_BYTES);
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
          try {
            t.join();
            break;
          } catch (InterruptedException ie) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        if (failed[0] != null || made[0] == null) {
          throw new ModelException("ONNX Runtime cannot start: "
              + (failed[0] == null ? "no environment" : failed[0].toString()), failed[0]);
        }
        environment = made[0];
      }
      return environment;
    }
  }

  /** What creates a session from prepared options (a file path or in-memory graph). */
  @FunctionalInterface
  public interface Factory {
    /** Creates the session with these options. */
    OrtSession create(OrtSession.SessionOptions options) throws OrtException;
  }

  /**
   * A created session and whether it runs on CUDA.
   *
   * @param session the session (the caller closes it)
   * @param onCuda whether the CUDA provider was added
   */
  public record Created(OrtSession session, boolean onCuda) {}

  /**
   * Creates a session on {@code options.device()}; when the CUDA provider loads but the session
   * cannot start on it (no device, driver too old, out of memory), retries on the CPU.
   */
  public static Created create(OnnxOptions options, Factory factory) throws OrtException {
    boolean[] cuda = new boolean[1];
    try (OrtSession.SessionOptions so = sessionOptions(options, options.device(), cuda)) {
      return new Created(factory.create(so), cuda[0]);
    } catch (OrtException e) {
      if (!cuda[0]) {
        throw e;
      }
      LOG.warn("CUDA requested but the session cannot start on it ({}); running on CPU",
          e.getMessage());
    }
    return createOn(options, OnnxOptions.Device.CPU, factory);
  }

  /**
   * Creates a session on {@code device} with no CPU retry when a CUDA session fails to start (a
   * CUDA provider that is missing or does not load still means the CPU).
   */
  public static Created createOn(OnnxOptions options, OnnxOptions.Device device, Factory factory)
      throws OrtException {
    boolean[] cuda = new boolean[1];
    try (OrtSession.SessionOptions so = sessionOptions(options, device, cuda)) {
      return new Created(factory.create(so), cuda[0]);
    }
  }

  private static OrtSession.SessionOptions sessionOptions(OnnxOptions o, OnnxOptions.Device device,
      boolean[] cuda) throws OrtException {
    environment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setOptimizationLevel(o.optLevel());
    if (o.intraOpThreads() > 0) {
      so.setIntraOpNumThreads(o.intraOpThreads());
    }
    if (!o.allowSpinning()) {
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
      so.addConfigEntry("session.inter_op.allow_spinning", "0");
    }
    if (device == OnnxOptions.Device.CUDA) {
      if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        LOG.warn("CUDA requested but this ONNX Runtime build has no CUDA provider (depend on"
            + " com.microsoft.onnxruntime:onnxruntime_gpu); running on CPU");
      } else {
        try (OrtCUDAProviderOptions cu = new OrtCUDAProviderOptions(o.cudaDevice())) {
          if (o.gpuMemoryLimitBytes() > 0) {
            cu.add("gpu_mem_limit", Long.toString(o.gpuMemoryLimitBytes()));
          }
          so.addCUDA(cu);
          cuda[0] = true;
        } catch (OrtException | LinkageError e) {
          LOG.warn("CUDA requested but the CUDA provider does not load ({}); it needs CUDA 12 and"
              + " cuDNN 9 libraries on the library path; running on CPU", e.getMessage());
        }
      }
    }
    return so;
  }

  /**
   * Closes each non-null value in order, logging (on {@code log}, as a warning) rather than throwing
   * when one fails, so the rest are still closed: for {@code close()} methods and for cleaning up
   * after a failed open.
   *
   * @param log where failures are reported (the owning class's logger)
   * @param values sessions, tokenizers or other native resources; nulls are skipped
   */
  public static void closeQuietly(Logger log, AutoCloseable... values) {
    for (AutoCloseable v : values) {
      if (v != null) {
        try {
          v.close();
        } catch (Exception e) {
          log.warn("closing {} failed: {}", v.getClass().getSimpleName(), e.getMessage());
        }
      }
    }
  }
}
