package dev.sparq.bench.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CudaDiagnosisTest {
  static final String SMI_13 = """
      +-----------------------------------------------------------------------------------------+
      | NVIDIA-SMI 580.159.03             Driver Version: 580.159.03     CUDA Version: 13.0     |
      |-----------------------------------------+------------------------+----------------------+
      |   0  NVIDIA H200                    On  |   00000000:19:00.0 Off |                    0 |
      """;

  static final String SMI_OLD = "| NVIDIA-SMI 470.82.01    Driver Version: 470.82.01    CUDA Version: 11.4     |";

  static final String LDCONFIG_13 = """
      \tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.13
      \tlibcublasLt.so.13 (libc6,x86-64) => /usr/local/cuda/lib64/libcublasLt.so.13
      \tlibcublas.so.13 (libc6,x86-64) => /usr/local/cuda/lib64/libcublas.so.13
      \tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1
      """;

  static final String CUDA_12_ALL = String.join("\n", CudaDiagnosis.NEEDED) + "\nlibcuda.so.1\n";

  static final String ERROR = "Failed to load library /tmp/onnxruntime-java1/libonnxruntime_providers_cuda.so"
      + " with error: libcublasLt.so.12: cannot open shared object file: No such file or directory";

  @Test
  void noNvidiaSmiMeansNoGpu() {
    CudaDiagnosis.Result r = CudaDiagnosis.diagnose(null, "", false, ERROR);
    assertEquals(CudaDiagnosis.Verdict.NO_GPU, r.verdict());
    assertTrue(r.lines().get(0).contains("nvidia-smi not found"), r.lines().toString());
    assertTrue(r.missing().contains("libcublasLt.so.12"));
  }

  @Test
  void onlyCuda13SaysSoAndWhatWouldFixIt() {
    CudaDiagnosis.Result r = CudaDiagnosis.diagnose(SMI_13, LDCONFIG_13, false, ERROR);
    assertEquals(CudaDiagnosis.Verdict.ONLY_CUDA_13, r.verdict());
    assertEquals("13.0", r.driverCuda());
    String text = String.join("\n", r.lines());
    assertTrue(text.contains("only CUDA 13"), text);
    assertTrue(text.contains("nvidia-cublas-cu12") && text.contains("nvidia-cudnn-cu12"), text);
    assertTrue(text.contains("580"), text);
    assertEquals(CudaDiagnosis.NEEDED, r.missing());
  }

  @Test
  void oldDriverIsBlamedBeforeLibraries() {
    CudaDiagnosis.Result r = CudaDiagnosis.diagnose(SMI_OLD, CUDA_12_ALL, false, "some error");
    assertEquals(CudaDiagnosis.Verdict.DRIVER_TOO_OLD, r.verdict());
    assertTrue(r.lines().get(r.lines().size() - 1).contains("470"));
  }

  @Test
  void missingCudnnIsNamed() {
    String libs = CUDA_12_ALL.replace("libcudnn.so.9", "");
    CudaDiagnosis.Result r = CudaDiagnosis.diagnose(SMI_13, libs, false,
        "libcudnn.so.9: cannot open shared object file");
    assertEquals(CudaDiagnosis.Verdict.MISSING_LIBRARIES, r.verdict());
    assertEquals(List.of("libcudnn.so.9"), r.missing());
  }

  @Test
  void loadedProviderIsReadyAndOtherFailuresQuoteTheError() {
    assertEquals(CudaDiagnosis.Verdict.READY,
        CudaDiagnosis.diagnose(SMI_13, CUDA_12_ALL, true, null).verdict());
    CudaDiagnosis.Result r = CudaDiagnosis.diagnose(SMI_13, CUDA_12_ALL, false,
        "CUDA failure 100: no CUDA-capable device is detected\nmore");
    assertEquals(CudaDiagnosis.Verdict.OTHER, r.verdict());
    assertTrue(r.lines().get(r.lines().size() - 1).endsWith("no CUDA-capable device is detected"));
  }
}
