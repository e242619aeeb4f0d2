package dev.sparq.onnx;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of sparq-onnx, checked on its compiled main classes (src-docs/architecture.md).
 * A later issue that sets a new boundary in this module adds its {@code ArchRule} and test here.
 */
class ArchitectureTest {

  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages("dev.sparq.onnx");
  }

  static final ArchRule NO_PACKAGE_CYCLES = slices()
      .matching("dev.sparq.(**)")
      .should().beFreeOfCycles()
      .because("packages of sparq-onnx form no dependency cycle");

  static final ArchRule ONLY_LOWER_MODULES = noClasses()
      .that().resideInAPackage("dev.sparq.onnx..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.sparq.openai..", "dev.sparq.examples..", "dev.sparq.bench..")
      .because("a backend module depends on sparq-core only, never on another backend or an application");

  /** The embedding descriptor is a stage: its state goes through Stateful (issue 18). */
  static final ArchRule STAGES_IMPORT_NO_PERSISTENCE = noClasses()
      .that().resideInAPackage("dev.sparq.onnx.embed..")
      .should().dependOnClassesThat().resideInAPackage("dev.sparq.core.store..")
      .because("stages import no persistence: state goes through dev.sparq.core.state.Stateful");

  @Test
  void importFoundTheMainClasses() {
    assertTrue(main.containPackage("dev.sparq.onnx"), "dev.sparq.onnx imported");
  }

  @Test
  void packagesAreFreeOfCycles() {
    NO_PACKAGE_CYCLES.check(main);
  }

  @Test
  void dependsOnlyOnLowerModules() {
    ONLY_LOWER_MODULES.check(main);
  }

  @Test
  void stagesImportNoPersistence() {
    STAGES_IMPORT_NO_PERSISTENCE.check(main);
  }
}
