#!/usr/bin/env bash
# A quick CPU comparison of clip4j and open_clip on the same random ViT-B-32 weights and the same
# photo, one after the other on this machine. The full harness comes with issue 6.
#   benchmarks/cpu-quick.sh [THREADS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
threads=${1:-$(nproc)}
python=${CLIP4J_PYTHON:-$root/models/.pyenv/bin/python}
[ -x "$python" ] || "$root/models/setup-python.sh"
model=$root/target/bench/ViT-B-32
image=$root/models/fixtures/images/astronaut.jpg
[ -f "$model/open_clip_model.safetensors" ] || "$python" "$root/benchmarks/make_random_model.py" ViT-B-32 "$model"
[ -f "$root/target/runtime-classpath.txt" ] || (cd "$root" && mvn -B -q -DskipTests package)
jar=$(ls "$root"/target/clip4j-*.jar | head -n 1)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); threads: $threads; fp32; ViT-B-32"
echo -n "open_clip 3.3.0 (torch $("$python" -c 'import torch; print(torch.__version__)')): "
"$python" "$root/benchmarks/openclip_cpu.py" "$model" "$image" "$threads"
echo -n "clip4j (libtorch 2.13.0, JavaCPP):                 "
java -Dorg.bytedeco.javacpp.cachedir="$root/target/javacpp-cache" -Dorg.bytedeco.javacpp.logger=slf4j \
  -cp "$jar:$(cat "$root/target/runtime-classpath.txt")" "$root/benchmarks/Clip4jCpuQuick.java" "$model" "$image" "$threads"
