# Sourced by bin/clip4j and benchmarks/bench before they start the JVM. glibc hands freed heap
# memory back to the kernel, so each call's activations would come back as fresh zeroed pages
# (RN50 at batch 16: ~36,000 page faults a call). Keep it instead, unless GLIBC_TUNABLES is set
# already (even empty). Both thresholds: a trim threshold alone turns glibc's adaptive mmap
# threshold off. README, Configuration.
export GLIBC_TUNABLES=${GLIBC_TUNABLES-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824}
