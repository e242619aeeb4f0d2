/**
 * A {@link dev.sparq.core.llm.LanguageModel} over inference servers that speak the OpenAI HTTP API
 * (vLLM, SGLang, llama.cpp server, Ollama, TGI): {@link dev.sparq.openai.OpenAiLanguageModel}.
 *
 * <p>One model object talks to a pool of {@link dev.sparq.openai.Endpoint}s: each request goes to the
 * healthy endpoint with the fewest requests in flight, up to a per-endpoint concurrency limit;
 * failed attempts are retried with exponential backoff and jitter ({@link
 * dev.sparq.openai.RetryPolicy}); endpoints that keep failing are rested for a while ({@link
 * dev.sparq.openai.HealthPolicy}). Token usage and retries are counted in {@link
 * dev.sparq.openai.OpenAiMetrics} and pushed to {@link dev.sparq.openai.OpenAiListener}s.
 */
package dev.sparq.openai;
