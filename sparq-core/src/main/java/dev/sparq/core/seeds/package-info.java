/**
 * Loading seed problems (SPARQ's seed set D) from MATH, GSM8K and generic JSON or JSON Lines
 * files, with field mappings and answer extraction; bad records are reported with file, line and
 * field. It depends on value types and answer extraction; applications may depend on it.
 */
package dev.sparq.core.seeds;
