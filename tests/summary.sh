#!/usr/bin/env bash
# summary.sh BUILD_DIR [EXTRA_RESULTS_FILE]
#
# Adds up what every suite reported and prints one closing line,
# "total: N passed, N failed". Unit suites are read from Check's own summary
# line in their automake logs ("Checks: N, Failures: F, Errors: E"); a
# suite binary that died before printing it counts as one failure. Other
# suites (integration, distcheck) append "NAME PASSED FAILED" lines to the
# results file. Exits 1 if anything failed or nothing ran.
set -u
build=${1:?usage: summary.sh BUILD_DIR [RESULTS_FILE]}
results=${2:-}
passed=0
failed=0

for log in "$build"/tests/unit/check_*.log; do
	[ -f "$log" ] || continue
	name=$(basename "$log" .log)
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "  $name: no Check summary (the suite binary died)"
		failed=$((failed + 1))
		continue
	fi
	n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
	f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
	e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
	echo "  $name: $line"
	passed=$((passed + n - f - e))
	failed=$((failed + f + e))
done

if [ -n "$results" ] && [ -f "$results" ]; then
	while read -r name p f; do
		[ -n "$name" ] || continue
		echo "  $name: $p passed, $f failed"
		passed=$((passed + p))
		failed=$((failed + f))
	done <"$results"
fi

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
