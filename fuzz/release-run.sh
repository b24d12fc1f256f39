#!/usr/bin/env bash
# Long fuzz run for a release: atheris (coverage-guided) for SECONDS in total,
# restarted after each finding (libFuzzer stops at the first one and atheris
# has no working -fork mode). Findings land in fuzz/findings/.
#
#   pip install atheris
#   bash fuzz/release-run.sh 3600
#
# Then shrink each finding (libFuzzer: -minimize_crash=1 -runs=10000 FILE),
# name it after what broke and add it to fixtures/robustness/crashes/.
set -uo pipefail
cd "$(dirname "$0")/.."
total="${1:-3600}"
python="${PYTHON:-$PWD/.venv/bin/python}"
mkdir -p fuzz/corpus fuzz/findings
seeds=()
for dir in ../shared/corpus/finews ../shared/corpus/blogs; do
    [[ -d "$dir" ]] && seeds+=("$dir")
done
end=$(( $(date +%s) + total ))
while (( $(date +%s) < end )); do
    left=$(( end - $(date +%s) ))
    (cd fuzz/findings && "$python" ../fuzz_convert.py -max_total_time="$left" -max_len=20000 \
        -timeout=30 -rss_limit_mb=4096 ../corpus "${seeds[@]/#/../../}")
    status=$?
    [[ $status -eq 0 ]] && break        # ran out of time with no finding
    ls fuzz/findings/crash-* >/dev/null 2>&1 || break   # failed for another reason
    for crash in fuzz/findings/crash-*; do mv "$crash" "fuzz/findings/found-${crash##*/crash-}"; done
done
echo "findings: $(ls fuzz/findings | wc -l) in fuzz/findings/"
