# Which targets can run here.
#   target_unavailable T      prints why T cannot run at all (nothing: it can)
#   full_unavailable T        prints why T cannot run full (libc) appliances
# Bare appliances (LIBC := none) need only the first; the others both.
root=${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

target_unavailable() {
	case $1 in
	linux)
		[ -r /usr/lib/x86_64-linux-musl/libc.a ] ||
			echo "musl-dev is not installed (make deps)"
		;;
	kvm)
		if [ ! -e /dev/kvm ]; then
			echo "/dev/kvm does not exist on this host"
		elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
			echo "/dev/kvm is not accessible to this user"
		fi
		;;
	virtio)
		if ! command -v "${PITH_QEMU:-qemu-system-x86_64}" >/dev/null; then
			echo "QEMU is not installed (make deps installs qemu-system-x86)"
		elif [ ! -r /usr/lib/x86_64-linux-musl/libc.a ]; then
			echo "musl-dev is not installed (make deps)"
		fi
		;;
	*) echo "unknown target" ;;
	esac
}

sse_probe_result=
full_unavailable() {
	[ "$1" = kvm ] || return 0
	if [ -z "$sse_probe_result" ]; then
		local out=$root/build/e2e/probe
		mkdir -p "$out"
		if ! "$root/build/bin/pith" build "$root/tests/probe/sse" \
			--target kvm -o "$out/sse.kvm" >"$out/build.log" 2>&1; then
			sse_probe_result="the SSE probe did not build (see $out/build.log)"
		elif timeout 60 "$root/build/bin/pith" run "$out/sse.kvm" \
			>"$out/sse.out" 2>"$out/sse.err" && grep -q 'sse: ok' "$out/sse.out"; then
			sse_probe_result=ok
		else
			sse_probe_result="this host's KVM cannot execute SSE arithmetic (the probe's pxor was not emulated: see $out/sse.err); full appliances need it"
		fi
	fi
	[ "$sse_probe_result" = ok ] || echo "$sse_probe_result"
}
