/**
 * The demo domain as the {@code sparq} command's simulated backend: {@link
 * dev.sparq.examples.demo.provider.DemoProvider} implements the command's {@code SimulatedDomain}
 * service. Not exported (the command line is an application), so the exported demo package refers
 * to nothing of the command.
 */
package dev.sparq.examples.demo.provider;
