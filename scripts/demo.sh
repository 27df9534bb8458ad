#!/usr/bin/env bash
# make demo: the PullThroughCache component on the local lab (examples/src/main/java/io/imagecache/examples/Demo.java).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn=${MVN:-mvn -B -ntp}
# Maven's own output is shown only when the build fails, so the demo's output is the demo's.
if ! build=$($mvn -q -pl examples -am package dependency:build-classpath -Dmaven.test.skip=true \
    -Dmdep.outputFile=target/classpath.txt 2>&1); then
  echo "$build" >&2
  exit 1
fi
cp="examples/target/classes:$(cat examples/target/classpath.txt)"
exec java -cp "$cp" io.imagecache.examples.Demo
