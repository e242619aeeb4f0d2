/**
 * Chat prompt templates with named placeholders ({@link dev.sparq.core.prompt.PromptTemplate}),
 * shared by the generator, the solver, the skill labeller and the answer resolver. It depends
 * only on the model port; any stage implementation may depend on it.
 */
package dev.sparq.core.prompt;
