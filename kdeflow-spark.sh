#!/usr/bin/env bash
# kdeflow-spark launcher: runs org.kdeflow.spark.Main on this machine without a cluster (Spark in local mode, all
# cores unless --master says otherwise). Builds kdeflow-spark.jar and the list of Spark's jars (from ~/.m2) when they
# are missing or older than the sources, then runs them with the JVM flags Spark needs on Java 17.
# On a cluster: spark-submit --class org.kdeflow.spark.Main kdeflow-spark/target/kdeflow-spark.jar …
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$root/kdeflow-spark"
jar="$module/target/kdeflow-spark.jar"
classpath="$module/target/spark-classpath.txt"

needs_build() {
  [ -f "$jar" ] && [ -f "$classpath" ] || return 0
  [ -n "$(find "$root/pom.xml" "$root/kdeflow-core" "$module" \
            \( -name target -prune \) -o \( -type f \( -path '*/src/main/*' -o -name pom.xml \) -newer "$jar" -print \) \
            2>/dev/null | head -n 1)" ]
}

if needs_build; then
  echo "kdeflow-spark: building (mvn -q -B -DskipTests package -pl kdeflow-spark -am)…" >&2
  if ! (cd "$root" && set -o pipefail && mvn -q -B -DskipTests package -pl kdeflow-spark -am 2>&1 \
          | sed -u 's/\x1b\[[0-9;]*m//g' >&2); then
    echo "kdeflow-spark: the build failed; run 'mvn -B package -pl kdeflow-spark -am' in $root to see why" >&2
    exit 1
  fi
fi

# The options Spark 4 itself passes on Java 17 (org.apache.spark.launcher.JavaModuleOptions), plus the vector module.
java_opts=(--add-modules jdk.incubator.vector -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true
  "-Dlog4j2.configurationFile=$module/src/main/conf/log4j2.properties" -XX:+UseParallelGC -Xmx4g)
# Local mode needs no network: bind to the loopback interface unless told otherwise.
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# The JVM announces incubator modules on stderr at every start; drop that one line, keep everything else.
exec java "${java_opts[@]}" ${KDEFLOW_SPARK_JAVA_OPTS:-} -cp "$jar:$(cat "$classpath")" org.kdeflow.spark.Main "$@" \
  2> >(grep -v --line-buffered '^WARNING: Using incubator modules' >&2)
