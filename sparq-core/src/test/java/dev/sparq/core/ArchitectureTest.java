package dev.sparq.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of sparq-core, checked on its compiled main classes (src-docs/architecture.md).
 *
 * <p>Each rule is one {@code ArchRule} constant with a {@code because} clause and one test method
 * that checks it. A later issue that establishes a new boundary adds its rule here (and a line in
 * src-docs/architecture.md); the other modules keep theirs in their own {@code ArchitectureTest}.
 */
class ArchitectureTest {

  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages("dev.sparq.core");
  }

  /** Core runs anywhere a JVM runs: no JNI methods and no native libraries loaded. */
  static final ArchRule NO_NATIVE_METHODS = methods()
      .that().areDeclaredInClassesThat().resideInAPackage("dev.sparq.core..")
      .should().notHaveModifier(JavaModifier.NATIVE)
      .because("sparq-core has no native code; native runtimes live in backend modules");

  static final ArchRule NO_NATIVE_LIBRARIES = noClasses()
      .that().resideInAPackage("dev.sparq.core..")
      .should().callMethod(System.class, "loadLibrary", String.class)
      .orShould().callMethod(System.class, "load", String.class)
      .orShould().callMethod(Runtime.class, "loadLibrary", String.class)
      .orShould().callMethod(Runtime.class, "load", String.class)
      .because("sparq-core has no native code; native runtimes live in backend modules");

  /** Core is the bottom of the module layer and knows no backend technology. */
  static final ArchRule NO_OTHER_MODULES_OR_BACKENDS = noClasses()
      .that().resideInAPackage("dev.sparq.core..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "dev.sparq.onnx..", "dev.sparq.openai..", "dev.sparq.examples..", "dev.sparq.bench..",
          "dev.sparq.testkit..",
          "ai.onnxruntime..", "ai.djl..", "com.hubspot.jinjava..",
          "java.net.http..", "okhttp3..", "org.apache.hc..", "org.apache.http..")
      .because("sparq-core depends on no other sparq module and on no ONNX or HTTP library");

  /** A value type does not know the containers that hold it. */
  static final ArchRule VALUE_TYPES_IMPORT_NO_CONTAINERS = noClasses()
      .that().resideInAPackage("dev.sparq.core.model..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "dev.sparq.core.archive..", "dev.sparq.core.engine..", "dev.sparq.core.store..")
      .because("value types (dev.sparq.core.model) import no containers: archive, engine, store");

  /**
   * The pipeline stages, the archive and the engine keep no persistence: components expose state
   * through dev.sparq.core.state.Stateful, which the storage layer discovers (issue 18).
   */
  static final ArchRule STAGES_IMPORT_NO_PERSISTENCE = noClasses()
      .that().resideInAnyPackage("dev.sparq.core.stage..", "dev.sparq.core.generate..",
          "dev.sparq.core.solve..", "dev.sparq.core.difficulty..", "dev.sparq.core.describe..",
          "dev.sparq.core.archive..", "dev.sparq.core.engine..", "dev.sparq.core.state..",
          "dev.sparq.core.model..")
      .should().dependOnClassesThat().resideInAPackage("dev.sparq.core.store..")
      .because("stages import no persistence: state goes through dev.sparq.core.state.Stateful,"
          + " which SparqRun discovers");

  /** Every package of core may be understood without reading a package that depends on it. */
  static final ArchRule NO_PACKAGE_CYCLES = slices()
      .matching("dev.sparq.(**)")
      .should().beFreeOfCycles()
      .because("packages of sparq-core form no dependency cycle");

  @Test
  void importFoundTheMainClasses() {
    // a rule checked on nothing passes: make sure the importer saw the real code
    assertTrue(core.containPackage("dev.sparq.core.model"), "dev.sparq.core.model imported");
    assertTrue(core.size() > 50, "only " + core.size() + " classes imported");
  }

  @Test
  void coreHasNoNativeMethods() {
    NO_NATIVE_METHODS.check(core);
  }

  @Test
  void coreLoadsNoNativeLibraries() {
    NO_NATIVE_LIBRARIES.check(core);
  }

  @Test
  void coreDependsOnNoOtherModuleOrBackend() {
    NO_OTHER_MODULES_OR_BACKENDS.check(core);
  }

  @Test
  void valueTypesImportNoContainers() {
    VALUE_TYPES_IMPORT_NO_CONTAINERS.check(core);
  }

  @Test
  void stagesImportNoPersistence() {
    STAGES_IMPORT_NO_PERSISTENCE.check(core);
  }

  @Test
  void corePackagesAreFreeOfCycles() {
    NO_PACKAGE_CYCLES.check(core);
  }
}
