/**
 * SPARQ's own interpreter for the Jinja2 subset of Hugging Face chat templates ({@link
 * dev.sparq.onnx.jinja.Template}, {@link dev.sparq.onnx.jinja.TemplateException}); lexer, parser
 * and evaluator are package-private. It depends on nothing outside the JDK; the chat template of
 * {@code dev.sparq.onnx} depends on it.
 */
package dev.sparq.onnx.jinja;
