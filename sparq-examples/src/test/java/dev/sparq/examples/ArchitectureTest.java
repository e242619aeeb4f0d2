package dev.sparq.examples;

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
 * The package rules of sparq-examples, checked on its compiled main classes (src-docs/architecture.md).
 * A later issue that sets a new boundary in this module adds its {@code ArchRule} and test here.
 */
class ArchitectureTest {

  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages("dev.sparq.examples");
  }

  static final ArchRule NO_PACKAGE_CYCLES = slices()
      .matching("dev.sparq.(**)")
      .should().beFreeOfCycles()
      .because("packages of sparq-examples form no dependency cycle");

  static final ArchRule ONLY_LOWER_MODULES = noClasses()
      .that().resideInAPackage("dev.sparq.examples..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.sparq.bench..")
      .because("the examples and the CLI never depend on the benchmarks");

  static final ArchRule CLI_WITHOUT_DEMO = noClasses()
      .that().resideInAPackage("dev.sparq.examples.cli..")
      .should().dependOnClassesThat().resideInAPackage("dev.sparq.examples.demo..")
      .because("the command and its report know the demo domain only through the SimulatedDomain service");

  @Test
  void cliAndReportImportNothingOfTheDemoDomain() {
    CLI_WITHOUT_DEMO.check(main);
  }

  @Test
  void importFoundTheMainClasses() {
    assertTrue(main.containPackage("dev.sparq.examples"), "dev.sparq.examples imported");
  }

  @Test
  void packagesAreFreeOfCycles() {
    NO_PACKAGE_CYCLES.check(main);
  }

  @Test
  void dependsOnlyOnLowerModules() {
    ONLY_LOWER_MODULES.check(main);
  }
}
