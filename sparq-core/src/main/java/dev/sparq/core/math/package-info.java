/**
 * Exact arithmetic: {@link dev.sparq.core.math.Rational}. It depends on nothing; answer checking
 * and domains may depend on it.
 */
package dev.sparq.core.math;
