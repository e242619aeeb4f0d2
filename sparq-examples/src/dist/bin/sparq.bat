@echo off
rem The sparq command line, run from an unpacked distribution (Java 17 or newer).
rem JAVA_HOME, JAVA_OPTS, SPARQ_LOG_LEVEL and SPARQ_ONNXRUNTIME as for bin/sparq.
setlocal
set "SPARQ_HOME=%~dp0.."
if defined JAVA_HOME (set "JAVA=%JAVA_HOME%\bin\java") else (set "JAVA=java")
if not defined SPARQ_LOG_LEVEL set "SPARQ_LOG_LEVEL=warn"
if defined SPARQ_ONNXRUNTIME (set "ORT=%SPARQ_ONNXRUNTIME%") else (set "ORT=%SPARQ_HOME%\lib\onnxruntime\*")
"%JAVA%" %JAVA_OPTS% -Dorg.slf4j.simpleLogger.defaultLogLevel=%SPARQ_LOG_LEVEL% -Dorg.slf4j.simpleLogger.logFile=System.err -cp "%SPARQ_HOME%\lib\*;%ORT%" dev.sparq.examples.cli.SparqCli %*
