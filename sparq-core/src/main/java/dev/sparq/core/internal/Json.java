package dev.sparq.core.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The Jackson configuration SPARQ for Java uses for its own files: map entries sorted by key (so the
 * same data gives the same bytes), unknown properties ignored (so newer files can be read by older
 * readers), no indentation.
 */
public final class Json {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .build();

  private Json() {}

  /** The shared, thread-safe mapper. Do not reconfigure it; call {@code copy()} first. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
