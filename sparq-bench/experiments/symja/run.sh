#!/bin/bash
# Runs the Symja experiment of issue 12 (see README.md). Needs sparq-core compiled
# (mvn -B -o -q -pl sparq-core compile) and Maven Central reachable once for Symja's jars.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${TMPDIR:-/tmp}/sparq-symja-experiment
mkdir -p "$out/classes"
mvn -B -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$out/cp.txt"
cp="$root/sparq-core/target/classes:$(cat "$out/cp.txt")"
javac -nowarn -d "$out/classes" -cp "$cp" "$here/src/SymjaAnswerCheck.java"
java -Xss8m -cp "$out/classes:$cp" SymjaAnswerCheck \
  "$root/sparq-core/src/test/resources/dev/sparq/core/answer/math-verify-cases.jsonl" "${1:-3}"
echo "Symja jars on the classpath: $(tr ':' '\n' < "$out/cp.txt" | grep -c '\.jar$')"
