#!/usr/bin/env bash
# Installs llama-cpp-python into the given Python from a wheel built with *portable* CPU flags, and keeps that wheel
# in a cache keyed by the version, the flags and the architecture.
#
# Why: by default llama.cpp compiles with -march=native and turns on every kernel the build machine advertises (AVX-512,
# AMX). pip then caches that wheel under the sdist's name, whatever flags built it, so the next install -- another
# clone, a CI runner, an image built elsewhere -- gets kernels its CPU may not run: SIGILL at the first decode
# (seen: ggml_backend_amx_mul_mat on a VM that lists amx_tile). llama-cpp-python installs only the single ggml-cpu
# library, not llama.cpp's runtime-dispatched CPU variants, so the build targets a fixed baseline instead:
# x86-64-v3 (AVX2, FMA, F16C; Intel Haswell 2013+, AMD Excavator 2015+ and every Zen). Measured against the native
# build in evals/benchmarks/bench_llama_builds.py (README, "Model runtime"). NEXUS_LLAMA_CPU=native opts back in to
# -march=native for a machine that builds for itself only; the key then names the host so the wheel stays there.
#
# These are the only llama.cpp build flags in the project.
set -euo pipefail

PY=${1:?usage: install-llama-runtime.sh PYTHON}
VERSION=$(grep -E '^llama_cpp_python==' "$(dirname "$0")/../.ci/constraints.txt" | cut -d= -f3)
ARCH=$(uname -m)
COMMON="-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DGGML_OPENMP=ON"
case "${NEXUS_LLAMA_CPU:-portable}:$ARCH" in
  native:*)
    FLAGS="$COMMON -DGGML_NATIVE=ON"
    HOST_TAG="-$(hostname)" ;;
  portable:x86_64)
    FLAGS="$COMMON -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
-DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AVX_VNNI=OFF \
-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
    HOST_TAG="" ;;
  portable:*)
    # arm64 and others: GGML_NATIVE=OFF builds for the architecture's baseline (armv8-a with NEON).
    FLAGS="$COMMON -DGGML_NATIVE=OFF"
    HOST_TAG="" ;;
  *) echo "NEXUS_LLAMA_CPU must be 'portable' or 'native'" >&2; exit 2 ;;
esac

KEY=$(printf '%s|%s|%s' "$VERSION" "$ARCH" "$FLAGS" | sha256sum | cut -c1-16)
CACHE=${NEXUS_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nexus/wheels}/llama-$VERSION-$ARCH$HOST_TAG-$KEY
WHEEL=$(ls "$CACHE"/llama_cpp_python-*.whl 2>/dev/null | head -n1 || true)

if [ -z "$WHEEL" ]; then
  echo "==> building the llama.cpp runtime ($VERSION, ${NEXUS_LLAMA_CPU:-portable} CPU flags) -- about 4-5 minutes on 2 cores, once per machine"
  mkdir -p "$CACHE.tmp"
  start=$(date +%s)
  # --no-cache-dir: never take (or leave) a wheel in pip's cache, whose key ignores the flags.
  CMAKE_ARGS="$FLAGS" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) \
    "$PY" -m pip wheel --quiet --no-deps --no-cache-dir -w "$CACHE.tmp" "llama-cpp-python==$VERSION"
  rm -rf "$CACHE" && mv "$CACHE.tmp" "$CACHE"
  WHEEL=$(ls "$CACHE"/llama_cpp_python-*.whl | head -n1)
  echo "==> llama.cpp runtime built in $(( $(date +%s) - start )) s, cached in $CACHE"
else
  echo "==> llama.cpp runtime: reusing the portable wheel cached in $CACHE"
fi
"$PY" -m pip install --quiet --no-deps --force-reinstall "$WHEEL"
