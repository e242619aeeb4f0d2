package dev.sparq.bench.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why the CUDA provider of {@code onnxruntime_gpu} 1.29 does or does not load, told from what the
 * machine shows: the {@code nvidia-smi} banner, the CUDA library files that can be found (from
 * {@code ldconfig -p}, {@code LD_LIBRARY_PATH} and pip's {@code nvidia-*} wheels), and the
 * provider's own error. The provider links CUDA 12 ({@code libcudart.so.12},
 * {@code libcublasLt.so.12}, {@code libcublas.so.12}, {@code libcufft.so.11}, {@code libcurand.so.10})
 * and cuDNN 9 ({@code libcudnn.so.9}); a driver made for CUDA 13 still runs them, so a machine
 * with only CUDA 13 libraries needs the CUDA 12 ones beside them, not another driver.
 */
final class CudaDiagnosis {
  private CudaDiagnosis() {}

  /** The shared libraries the CUDA provider of onnxruntime_gpu 1.29 opens. */
  static final List<String> NEEDED = List.of("libcudart.so.12", "libcublasLt.so.12",
      "libcublas.so.12", "libcufft.so.11", "libcurand.so.10", "libcudnn.so.9");

  /** The oldest Linux driver that runs CUDA 12.x programs (minor-version compatibility). */
  static final int MIN_DRIVER_MAJOR = 525;

  private static final Pattern CUDA_VERSION = Pattern.compile("CUDA Version:\\s*(\\d+)\\.(\\d+)");
  private static final Pattern DRIVER_VERSION = Pattern.compile("Driver Version:\\s*(\\d+)[.\\d]*");
  private static final Pattern LIB = Pattern.compile("(lib[A-Za-z0-9_]+\\.so(?:\\.\\d+)+)");
  private static final Pattern MISSING = Pattern.compile(
      "(lib[A-Za-z0-9_]+\\.so[.\\d]*): cannot open shared object file");

  /** The outcome. */
  enum Verdict {
    /** No NVIDIA driver answers: no GPU here. */
    NO_GPU,
    /** The driver is older than CUDA 12 needs. */
    DRIVER_TOO_OLD,
    /** Only CUDA 13 libraries found. */
    ONLY_CUDA_13,
    /** Some CUDA 12 / cuDNN 9 libraries are missing. */
    MISSING_LIBRARIES,
    /** The provider loaded. */
    READY,
    /** Everything looks present yet the provider failed; see its error. */
    OTHER
  }

  /**
   * The diagnosis.
   *
   * @param verdict the outcome
   * @param driverCuda the newest CUDA the driver supports ("13.0"), or null without nvidia-smi
   * @param missing needed libraries not found
   * @param lines what to print, the last one saying what would fix it (if anything)
   */
  record Result(Verdict verdict, String driverCuda, List<String> missing, List<String> lines) {}

  /**
   * Diagnoses.
   *
   * @param nvidiaSmi the output of {@code nvidia-smi}, or null/blank when it is absent or failed
   * @param libraries text naming the library files found (any layout; {@code lib*.so.N} names are
   *     picked out)
   * @param providerLoaded whether a session with the CUDA provider was created
   * @param providerError the provider's error message, or null
   */
  static Result diagnose(String nvidiaSmi, String libraries, boolean providerLoaded,
      String providerError) {
    List<String> lines = new ArrayList<>();
    String driverCuda = null;
    int driverMajor = -1;
    if (nvidiaSmi != null && !nvidiaSmi.isBlank()) {
      Matcher m = CUDA_VERSION.matcher(nvidiaSmi);
      if (m.find()) {
        driverCuda = m.group(1) + "." + m.group(2);
      }
      Matcher d = DRIVER_VERSION.matcher(nvidiaSmi);
      if (d.find()) {
        driverMajor = Integer.parseInt(d.group(1));
      }
    }
    TreeSet<String> found = new TreeSet<>();
    if (libraries != null) {
      Matcher m = LIB.matcher(libraries);
      while (m.find()) {
        found.add(m.group(1));
      }
    }
    List<String> missing = new ArrayList<>();
    for (String need : NEEDED) {
      if (!found.contains(need)) {
        missing.add(need);
      }
    }
    if (providerError != null) {
      Matcher m = MISSING.matcher(providerError);
      while (m.find()) {
        if (!missing.contains(m.group(1))) {
          missing.add(m.group(1));
        }
      }
    }
    boolean cuda13 = found.stream().anyMatch(l -> l.startsWith("libcudart.so.13")
        || l.startsWith("libcublasLt.so.13") || l.startsWith("libcublas.so.13"));
    boolean cuda12 = found.contains("libcudart.so.12") || found.contains("libcublasLt.so.12");
    lines.add("driver: " + (nvidiaSmi == null || nvidiaSmi.isBlank()
        ? "nvidia-smi not found or failed"
        : (driverMajor > 0 ? driverMajor : "?") + ", supports CUDA up to "
            + (driverCuda == null ? "?" : driverCuda)));
    lines.add("CUDA libraries found: " + (found.isEmpty() ? "none" : summarize(found)));
    lines.add("needed by onnxruntime_gpu 1.29 and not found: "
        + (missing.isEmpty() ? "none" : String.join(", ", missing)));
    Verdict v;
    if (providerLoaded) {
      v = Verdict.READY;
      lines.add("verdict: the CUDA provider loads");
    } else if (nvidiaSmi == null || nvidiaSmi.isBlank()) {
      v = Verdict.NO_GPU;
      lines.add("verdict: no NVIDIA GPU or driver on this machine; only the CPU half runs");
    } else if (driverMajor > 0 && driverMajor < MIN_DRIVER_MAJOR) {
      v = Verdict.DRIVER_TOO_OLD;
      lines.add("verdict: driver " + driverMajor + " is older than CUDA 12 needs (>= "
          + MIN_DRIVER_MAJOR + "); fix: a newer NVIDIA driver");
    } else if (cuda13 && !cuda12) {
      v = Verdict.ONLY_CUDA_13;
      lines.add("verdict: this machine carries only CUDA 13 libraries, but onnxruntime_gpu 1.29"
          + " links CUDA 12 and cuDNN 9");
      lines.add("fix: put CUDA 12 runtime libraries beside them (the driver"
          + (driverCuda == null ? "" : " for CUDA " + driverCuda) + " runs CUDA 12 programs):"
          + " the pip wheels nvidia-cuda-runtime-cu12, nvidia-cublas-cu12, nvidia-cufft-cu12,"
          + " nvidia-curand-cu12 and nvidia-cudnn-cu12, with their nvidia/*/lib folders on"
          + " LD_LIBRARY_PATH (or SPARQ_CUDA_LIBS for gpu-check.sh); or an ONNX Runtime Java"
          + " build made for CUDA 13");
    } else if (!missing.isEmpty()) {
      v = Verdict.MISSING_LIBRARIES;
      lines.add("verdict: CUDA 12 / cuDNN 9 libraries missing: " + String.join(", ", missing));
      lines.add("fix: install them (CUDA 12 toolkit runtime and cuDNN 9 for CUDA 12, or the pip"
          + " wheels nvidia-*-cu12) and put their folders on LD_LIBRARY_PATH");
    } else {
      v = Verdict.OTHER;
      lines.add("verdict: the libraries look present but the provider failed: "
          + (providerError == null ? "(no message)" : firstLine(providerError)));
    }
    return new Result(v, driverCuda, List.copyOf(missing), List.copyOf(lines));
  }

  private static String summarize(TreeSet<String> found) {
    List<String> keep = new ArrayList<>();
    for (String f : found) {
      String l = f.toLowerCase(Locale.ROOT);
      if (l.startsWith("libcuda") || l.startsWith("libcublas") || l.startsWith("libcudnn")
          || l.startsWith("libcufft") || l.startsWith("libcurand")) {
        keep.add(f);
      }
    }
    return keep.isEmpty() ? "none" : String.join(", ", keep);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
