#!/usr/bin/env bash
# `make test` as a new user runs it on another Debian (and so another Python): a clean
# minimal Debian root made with debootstrap, this machine's pip and apt configuration copied
# in (so the package registries are reached as here), a fresh clone of this repository's
# HEAD, then the README's command. Needs root (debootstrap, chroot, mounts) and the Debian
# mirror; installs debootstrap when missing.
#
#   scripts/test_in_debian.sh SUITE [TARGET]    e.g. trixie (Python 3.13), sid (Python 3.14)
#
# TARGET is the make target (default: test; `test-latest` tries the newest releases).
# The root is kept in ${DEBIAN_ROOTS:-/var/tmp/mnist-debian}/SUITE (re-used when it exists:
# remove it to start from nothing); the log in that folder's root/SUITE-TARGET.log.
set -euo pipefail
suite=${1:?usage: scripts/test_in_debian.sh SUITE [TARGET]}
target=${2:-test}
repo=$(cd "$(dirname "$0")/.." && pwd)
base=${DEBIAN_ROOTS:-/var/tmp/mnist-debian}
root=$base/$suite
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" = 0 ] || { echo "test_in_debian.sh: needs root (debootstrap, chroot)"; exit 2; }
command -v debootstrap >/dev/null || {
    echo "Installing debootstrap (apt-get install debootstrap)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

if [ ! -x "$root/usr/bin/python3" ]; then
    echo "== debootstrap $suite into $root"
    rm -rf "$root" && mkdir -p "$root"
    t0=$SECONDS
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,make,git,ca-certificates \
        "$suite" "$root" "$mirror" >"$base/$suite-debootstrap.log" 2>&1 \
        || { tail -20 "$base/$suite-debootstrap.log"; exit 1; }
    echo "   done in $((SECONDS - t0)) s"
fi

# This machine's pip and apt configuration (registries, proxies, certificates).
for f in /etc/pip.conf /etc/xdg/pip/pip.conf /etc/xdg/pip/constraints.txt /etc/resolv.conf \
         /etc/apt/apt.conf.d/99artifact-registry /etc/apt/apt.conf.d/99farm-no-dep11; do
    [ -e "$f" ] && mkdir -p "$root$(dirname "$f")" && cp -L "$f" "$root$f"
done
# The certificates pip is told to trust (a proxy's own CA among them), at the same path.
for cert in "${PIP_CERT:-}" $(python3 -m pip config get global.cert 2>/dev/null || true) \
            /usr/local/share/ca-certificates/*; do
    [ -f "$cert" ] && mkdir -p "$root$(dirname "$cert")" && cp -L "$cert" "$root$cert"
done
echo "deb $mirror $suite main" > "$root/etc/apt/sources.list"
rm -f "$root/etc/apt/sources.list.d/debian.sources"

mounts=(proc sys dev dev/pts)
cleanup() {
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount -l "$root/${mounts[$i]}" 2>/dev/null || true
    done
}
trap cleanup EXIT
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t devpts devpts "$root/dev/pts" 2>/dev/null || true

rm -rf "$root/root/mnist-tutorial"
git clone -q --no-local "$repo" "$root/root/mnist-tutorial"
[ -d "$repo/../shared" ] && rm -rf "$root/root/shared" && cp -r "$repo/../shared" "$root/root/shared"

log=$root/root/$suite-$target.log
python=$(chroot "$root" python3 --version)
echo "== $suite ($python): make $target in a fresh clone (log: $log)"
t0=$SECONDS
set +e
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    LANG=C.UTF-8 TERM=dumb $(env | grep -E '^(PIP_|https?_proxy|HTTPS?_PROXY|NO_PROXY)' || true) \
    bash -c "cd /root/mnist-tutorial && make $target" >"$log" 2>&1
rc=$?
set -e
grep -E '^== |passed|failed|error' "$log" | tail -25
echo "== $suite ($python): make $target exited $rc after $((SECONDS - t0)) s"
exit $rc
