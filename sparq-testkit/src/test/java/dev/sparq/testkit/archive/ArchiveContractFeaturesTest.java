package dev.sparq.testkit.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs {@link ArchiveContract} on an archive with a planted bug through the JUnit Platform, as a
 * build tool does, and checks what the report says: the violated property fails with a message
 * naming the bug, and properties needing undeclared {@link ArchiveFeature}s are reported skipped
 * with the missing feature.
 */
class ArchiveContractFeaturesTest {

  /** Property name to "SUCCESSFUL", "FAILED: message" or "SKIPPED: reason". */
  private static Map<String, String> run(Class<?> suite) {
    Map<String, String> out = new TreeMap<>();
    TestExecutionListener listener = new TestExecutionListener() {
      @Override
      public void executionSkipped(TestIdentifier id, String reason) {
        name(id).ifPresent(n -> out.put(n, "SKIPPED: " + reason));
      }

      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        name(id).ifPresent(n -> out.put(n, result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
            ? "SUCCESSFUL"
            : result.getStatus() + ": " + result.getThrowable().map(Throwable::getMessage).orElse("")));
      }
    };
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(suite)).build();
    LauncherFactory.create().execute(request, listener);
    return out;
  }

  private static java.util.Optional<String> name(TestIdentifier id) {
    return id.getSource().filter(MethodSource.class::isInstance)
        .map(s -> ((MethodSource) s).getMethodName());
  }

  @Test
  void theWholeContractFailsOnTheCapacityBugAndNamesIt() {
    Map<String, String> results = run(PlantedBugs.LyingCapacitySuite.class);
    assertEquals(9, results.size(), results.toString());
    String capacity = results.get("membersNeverExceedCapacityPerCell");
    assertTrue(capacity.startsWith("FAILED") && capacity.contains("capacity 1"), capacity);
    assertEquals("SUCCESSFUL", results.get("insertedCandidateIsRetrievableFromItsCell"));
    assertEquals("SUCCESSFUL", results.get("noTwoMembersShareAProblemId"));
  }

  @Test
  void undeclaredFeaturesAreReportedSkippedWithTheMissingFeature() {
    Map<String, String> results = run(PlantedBugs.LyingCapacityWithoutBoundSuite.class);
    assertEquals(9, results.size(), results.toString());
    for (String p : Set.of("batchAddFollowsPyribsRuleForDistinctQualities",
        "batchAddFollowsPyribsRuleWithTies")) {
      assertTrue(results.get(p).startsWith("SKIPPED: archive does not declare [PYRIBS_BATCH_ADD]"),
          p + ": " + results.get(p));
    }
    assertTrue(results.get("membersNeverExceedCapacityPerCell")
        .startsWith("SKIPPED: archive does not declare [BOUNDED_CAPACITY]"), results.toString());
    assertTrue(results.get("roundTripIsExact").contains("[EXACT_ROUND_TRIP]"), results.toString());
    for (String p : Set.of("insertedCandidateIsRetrievableFromItsCell", "cellQualityNeverDecreases",
        "noTwoMembersShareAProblemId", "statsAgreeWithContents",
        "concurrentAddsMatchSomeSequentialOrder")) {
      assertEquals("SUCCESSFUL", results.get(p), p + ": " + results);
    }
  }

  @Test
  void declaredFeaturesDefaultToAll() {
    assertEquals(Set.of(ArchiveFeature.values()),
        FeatureGate.declaredFeatures(PlantedBugs.LyingCapacitySuite.class));
    assertEquals(Set.of(ArchiveFeature.ELITIST_CELLS, ArchiveFeature.DUPLICATE_IDS_REJECTED,
        ArchiveFeature.THREAD_SAFE_ADDS),
        FeatureGate.declaredFeatures(PlantedBugs.LyingCapacityWithoutBoundSuite.class));
  }
}
