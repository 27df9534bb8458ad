#!/usr/bin/env bash
# make demo: runs the examples on the local lab (see examples/src/main/java/io/imagecache/examples/Demo.java).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn=${MVN:-mvn -B -ntp}
$mvn -q -pl examples -am package dependency:build-classpath -Dmaven.test.skip=true -Dmdep.outputFile=target/classpath.txt
cp="examples/target/classes:$(cat examples/target/classpath.txt)"
exec java -cp "$cp" io.imagecache.examples.Demo
