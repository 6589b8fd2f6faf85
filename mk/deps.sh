#!/bin/sh
# Installs what building and testing pith needs, from Debian's packages.
# Idempotent: installs only what is missing. Used by `make deps` and CI.
set -eu
packages="make gcc libc6-dev binutils musl-dev musl-tools libseccomp-dev
linux-libc-dev iproute2 python3 clang-format util-linux coreutils
iputils-ping dnsmasq-base clang libclang-rt-14-dev libslirp-dev gdb
libdw-dev qemu-system-x86 curl chromium python3-websocket zlib1g-dev wrk
nginx-light"
# One dpkg-query for all of them (make run asks every time: keep it fast).
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $packages 2>/dev/null |
	awk '/ ok installed$/ {print $1}')
missing=
for p in $packages; do
	echo "$installed" | grep -qx "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: everything is installed"
	exit 0
fi
echo "deps: installing$missing"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
