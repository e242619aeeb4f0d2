package dev.sparq.testkit.archive;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The jqwik hook behind {@link ArchiveFeatures}: it skips a property marked with
 * {@link RequiresFeatures} when the test class does not declare every feature the property needs.
 * The skip goes through the JUnit Platform, so Maven Surefire and IDEs count and show it with its
 * reason ({@code archive does not declare THREAD_SAFE_ADDS}). {@link ArchiveContract} registers
 * it; users need not.
 */
public final class FeatureGate implements SkipExecutionHook {

  /** Called by jqwik. */
  public FeatureGate() {}

  @Override
  public SkipResult shouldBeSkipped(LifecycleContext context) {
    Optional<AnnotatedElement> element = context.optionalElement();
    if (element.isEmpty() || !(element.get() instanceof Method method)) {
      return SkipResult.doNotSkip();
    }
    RequiresFeatures required = method.getAnnotation(RequiresFeatures.class);
    if (required == null) {
      return SkipResult.doNotSkip();
    }
    Class<?> container = context.optionalContainerClass().orElse(method.getDeclaringClass());
    Set<ArchiveFeature> declared = declaredFeatures(container);
    List<ArchiveFeature> missing = new ArrayList<>();
    for (ArchiveFeature f : required.value()) {
      if (!declared.contains(f)) {
        missing.add(f);
      }
    }
    if (missing.isEmpty()) {
      return SkipResult.doNotSkip();
    }
    return SkipResult.skip("archive does not declare " + missing + " (@ArchiveFeatures on "
        + container.getSimpleName() + ")");
  }

  /** The features declared on a test class: its {@link ArchiveFeatures}, or all when absent. */
  static Set<ArchiveFeature> declaredFeatures(Class<?> testClass) {
    ArchiveFeatures declared = testClass.getAnnotation(ArchiveFeatures.class);
    if (declared == null) {
      return EnumSet.allOf(ArchiveFeature.class);
    }
    Set<ArchiveFeature> out = EnumSet.noneOf(ArchiveFeature.class);
    for (ArchiveFeature f : declared.value()) {
      out.add(f);
    }
    return out;
  }
}
