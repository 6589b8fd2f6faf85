# Which targets can run here. target_unavailable T prints why T cannot
# run on this machine (and nothing if it can).
target_unavailable() {
	case $1 in
	linux)
		[ -r /usr/lib/x86_64-linux-musl/libc.a ] ||
			echo "musl-dev is not installed (make deps)"
		;;
	kvm) echo "the kvm target is not implemented yet (issue 3)" ;;
	virtio) echo "the virtio target is not implemented yet (issue 4)" ;;
	*) echo "unknown target" ;;
	esac
}
