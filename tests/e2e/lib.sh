# Helpers for e2e check scripts. A check script sources this, then for
# each case:
#
#     run NAME [--expect-status N] -- COMMAND...   run and record
#     want_out REGEX / want_err REGEX / want_no_out REGEX
#     verdict                                       print pass/fail NAME
#
# IMAGE, TARGET, OUT and PITH come from tests/e2e/run.
set -u
case_name=
case_why=
run_timeout=${RUN_TIMEOUT:-30}

# run NAME [--expect-status N] -- CMD...: runs CMD with a timeout; stdout
# and stderr land in $OUT/NAME.out and $OUT/NAME.err.
run() {
	case_name=$1
	case_why=
	shift
	local want=0
	if [ "$1" = --expect-status ]; then
		want=$2
		shift 2
	fi
	[ "$1" = -- ] && shift
	timeout "$run_timeout" "$@" >"$OUT/$case_name.out" 2>"$OUT/$case_name.err"
	status=$?
	if [ "$status" -ne "$want" ]; then
		fail_case "exit status $status, want $want"
	fi
}

fail_case() {
	[ -n "$case_why" ] || case_why=$1
}

want_out() {
	grep -Eq -- "$1" "$OUT/$case_name.out" ||
		fail_case "stdout lacks /$1/"
}

want_err() {
	grep -Eq -- "$1" "$OUT/$case_name.err" ||
		fail_case "stderr lacks /$1/"
}

want_no_out() {
	! grep -Eq -- "$1" "$OUT/$case_name.out" ||
		fail_case "stdout has /$1/"
}

# verdict: prints the case's result; on failure also what it printed.
verdict() {
	if [ -z "$case_why" ]; then
		echo "pass $case_name"
		return
	fi
	echo "fail $case_name: $case_why"
	sed 's/^/  out: /' "$OUT/$case_name.out" | head -15
	sed 's/^/  err: /' "$OUT/$case_name.err" | head -25
}

# Whether TARGET runs its images in ring 0 (kvm, virtio): CPU faults are
# reported by exception vector (#PF) rather than by signal (SIGSEGV).
is_ring0() {
	[ "$TARGET" = kvm ] || [ "$TARGET" = virtio ]
}

# linux_only NAME WHY: true on the linux target; elsewhere prints the
# case as skipped (WHY: what makes it linux's) and is false.
linux_only() {
	[ "$TARGET" = linux ] && return 0
	echo "skip $1: $2 (linux target only)"
	return 1
}

# Whether network namespaces and taps can be made here (root, iproute2).
can_netns() {
	[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null &&
		[ -c /dev/net/tun ]
}
