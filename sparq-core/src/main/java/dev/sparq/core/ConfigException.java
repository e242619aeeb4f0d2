package dev.sparq.core;

/** A configuration value is missing, out of range or inconsistent; the message names the key. */
public class ConfigException extends SparqException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  /** Builds the message {@code "key 'name': problem"}. */
  public static ConfigException forKey(String key, String problem) {
    return new ConfigException("key '" + key + "': " + problem);
  }
}
