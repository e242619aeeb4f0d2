/**
 * SPARQ's own interpreter for the Jinja2 subset of Hugging Face chat templates ({@link
 * dev.sparq.onnx.jinja.Template}, {@link dev.sparq.onnx.jinja.TemplateException}); lexer, parser
 * and evaluator are package-private. It depends on nothing outside the JDK; {@code dev.sparq.onnx}'s chat
 * template depends on it.
 */
package dev.sparq.onnx.jinja;
