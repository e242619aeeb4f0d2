package dev.sparq.openai;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines and listener calls of one {@link OpenAiLanguageModel}. A listener that throws is
 * logged and otherwise ignored. Text that may come from a server is redacted by the caller.
 */
final class ClientEvents {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiLanguageModel.class);

  private final String name;
  private final List<OpenAiListener> listeners;

  ClientEvents(String name, List<OpenAiListener> listeners) {
    this.name = name;
    this.listeners = List.copyOf(listeners);
  }

  private void each(String what, Consumer<OpenAiListener> call) {
    for (OpenAiListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("{}: listener {} failed in {}", name, l, what, e);
      }
    }
  }

  void response(EndpointPool.State ep, Usage usage, int choices, Duration latency) {
    if (!listeners.isEmpty()) {
      each("onResponse", l -> l.onResponse(ep.name, usage, choices, latency));
    }
  }

  void retry(RetryEvent event, int request) {
    LOG.debug("{}: attempt {} of request {} on {} failed ({}); retrying in {} ms",
        name, event.attempt(), request, event.endpoint(), event.message(), event.delay().toMillis());
    each("onRetry", l -> l.onRetry(event));
  }

  /** {@code lastFailure}: status and cause of the last failed attempt, redacted by the caller. */
  void rested(EndpointPool.State ep, Duration restFor, int failuresInRow, String lastFailure) {
    String last = lastFailure == null ? "cause not recorded" : lastFailure;
    LOG.warn("{}: {} failed {} times in a row (last: {}); resting it for {} ms",
        name, ep.name, failuresInRow, last, restFor.toMillis());
    each("onEndpointRested", l -> l.onEndpointRested(ep.name, restFor, failuresInRow, last));
  }

  void nLimitLearned(EndpointPool.State ep, int limit, String evidence) {
    if (limit == 1) {
      LOG.info("{}: {} does not support n > 1 ({}); requesting one sample per request from now on",
          name, ep.name, evidence);
    } else {
      LOG.info("{}: {} takes at most n = {} ({}); asking for at most that many per request",
          name, ep.name, limit, evidence);
    }
    each("onNLimitLearned", l -> l.onNLimitLearned(ep.name, limit));
    if (limit == 1) {
      each("onFanOutLearned", l -> l.onFanOutLearned(ep.name));
    }
  }

  void usageMissing(EndpointPool.State ep) {
    if (ep.usageWarned.compareAndSet(false, true)) {
      LOG.warn("{}: {} sends no 'usage' in its responses; its token counts are estimated (about "
          + "four characters a token) and the metrics say so", name, ep.name);
      each("onUsageMissing", l -> l.onUsageMissing(ep.name));
    }
  }
}
