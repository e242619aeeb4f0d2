package dev.sparq.testkit.archive;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a property of {@link ArchiveContract} (or of a subclass adding its own) with the
 * {@link ArchiveFeature}s it assumes; {@link FeatureGate} skips it unless the test class's
 * {@link ArchiveFeatures} declares all of them.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RequiresFeatures {
  /** The features the property assumes. */
  ArchiveFeature[] value();
}
