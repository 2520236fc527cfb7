# Sourced by bin/clip4j and benchmarks/bench (with $root set to the checkout): builds this
# checkout's clip4j jar when it is missing or older than the sources, and sets clip4j_classpath to
# it and its dependencies. CLIP4J_GPU=1 chooses the gpu build (mvn -Pgpu: libtorch's CUDA jar, the
# CUDA image runner) and puts the CUDA libraries its libtorch needs on LD_LIBRARY_PATH.
case "${CLIP4J_GPU:-0}" in
  1) flavour=-gpu profile=-Pgpu ;;
  0) flavour= profile= ;;
  *) echo "clip4j: CLIP4J_GPU must be 0 or 1, not '$CLIP4J_GPU'" >&2; exit 2 ;;
esac
# The jar of this flavour: clip4j-VERSION.jar or clip4j-VERSION-gpu.jar, never the other one.
find_jar() {
  ls "$root"/target/clip4j-*.jar 2>/dev/null | grep -v -e '-sources\.jar$' -e '-javadoc\.jar$' |
    if [ -n "$flavour" ]; then grep -e "$flavour\.jar\$"; else grep -v -e '-gpu\.jar$'; fi |
    head -n 1 || true
}
jar=$(find_jar)
dependencies="$root/target/runtime-classpath$flavour.txt"
stale=
if [ -z "$jar" ] || [ ! -f "$dependencies" ]; then
  stale="first run: Maven downloads libtorch and OpenCV, a few minutes"
elif [ -n "$(find "$root/pom.xml" "$root/CMakeLists.txt" "$root/java/src/main" "$root/native" -newer "$jar" -type f -print -quit)" ]; then
  stale="sources changed since the last build"
fi
if [ -n "$stale" ]; then
  echo "clip4j: building ($stale)..." >&2
  (cd "$root" && mvn -B -q $profile -DskipTests package >&2)
  jar=$(find_jar)
fi
clip4j_classpath="$jar:$(cat "$dependencies")"
# The gpu build's libtorch needs cuBLAS, cuDNN, cuSOLVER, cuSPARSE and NCCL, which no jar ships:
# the system's, or NVIDIA's wheels of them fetched once into target/cuda-libraries.
if [ -n "$flavour" ]; then
  cuda_libraries=$("$root/native/scripts/cuda-libraries.sh" "$root/target/cuda-libraries")
  [ -z "$cuda_libraries" ] || export LD_LIBRARY_PATH="$cuda_libraries${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
