package dev.sparq.testkit;

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
 * The package rules of sparq-testkit, checked on its compiled main classes (src-docs/architecture.md).
 */
class ArchitectureTest {

  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages("dev.sparq.testkit");
  }

  static final ArchRule NO_PACKAGE_CYCLES = slices()
      .matching("dev.sparq.testkit.(**)")
      .should().beFreeOfCycles()
      .because("packages of sparq-testkit form no dependency cycle");

  static final ArchRule ONLY_CORE = noClasses()
      .that().resideInAPackage("dev.sparq.testkit..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.sparq.onnx..", "dev.sparq.openai..",
          "dev.sparq.examples..", "dev.sparq.bench..", "dev.sparq.core.internal..")
      .because("the test kit uses sparq-core's public API only, as its users' tests do");

  /** The simulated domain and the scripted model are compiled into core's tests too. */
  static final ArchRule FIXTURES_NEED_NO_TEST_LIBRARY = noClasses()
      .that().resideInAnyPackage("dev.sparq.testkit.math..", "dev.sparq.testkit.llm..",
          "dev.sparq.testkit.stage..")
      .should().dependOnClassesThat().resideInAnyPackage("net.jqwik..", "org.junit..",
          "com.sun.net.httpserver..", "dev.sparq.testkit.archive..", "dev.sparq.testkit.openai..")
      .because("src/fixtures/java is compiled with sparq-core's tests, which see only core");

  @Test
  void importFoundTheMainClasses() {
    assertTrue(main.containPackage("dev.sparq.testkit.archive"), "dev.sparq.testkit.archive imported");
    assertTrue(main.containPackage("dev.sparq.testkit.math"), "dev.sparq.testkit.math imported");
  }

  @Test
  void packagesAreFreeOfCycles() {
    NO_PACKAGE_CYCLES.check(main);
  }

  @Test
  void dependsOnlyOnCoresPublicApi() {
    ONLY_CORE.check(main);
  }

  @Test
  void fixturesNeedNoTestLibrary() {
    FIXTURES_NEED_NO_TEST_LIBRARY.check(main);
  }
}
