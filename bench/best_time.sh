# Sourced by the benchmarks that time a whole short process (bench/lint.sh, bench/gate.sh).
# best RUNS COMMAND...: runs the command RUNS times (its output discarded, its exit status
# ignored) and prints the fastest wall time as "12.345 ms" (this machine is a shared VM
# whose speed drifts; the fastest run is the least disturbed).
best() {
  local runs=$1 best="" t0 t1 us; shift
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s%N)
    us=$(( (t1 - t0) / 1000 ))
    if [ -z "$best" ] || [ "$us" -lt "$best" ]; then best=$us; fi
  done
  printf '%d.%03d ms' $((best / 1000)) $((best % 1000))
}
