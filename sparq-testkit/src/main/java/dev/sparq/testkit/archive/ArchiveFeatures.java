package dev.sparq.testkit.archive;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares, on a subclass of {@link ArchiveContract}, the {@link ArchiveFeature}s its archive
 * supports. Properties that assume any other feature are skipped (reported as skipped, with the
 * missing feature as the reason). Without this annotation the archive is held to every feature.
 *
 * <pre>{@code
 * @ArchiveFeatures({ArchiveFeature.BOUNDED_CAPACITY, ArchiveFeature.ELITIST_CELLS,
 *     ArchiveFeature.DUPLICATE_IDS_REJECTED})
 * class MyArchiveProperties extends ArchiveContract { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ArchiveFeatures {
  /** The features the archive under test supports. */
  ArchiveFeature[] value();
}
