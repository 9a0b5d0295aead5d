#!/usr/bin/env bash
# `make system-packages test` as a new user runs it on another Debian (and so another
# Python): a clean minimal Debian root made with debootstrap, this machine's pip and apt
# configuration copied in (so the package registries are reached as here), a fresh clone of
# this repository's HEAD, then the README's commands. Needs root (debootstrap, chroot,
# mounts) and the Debian mirror; installs debootstrap when missing.
#
#   scripts/test_in_debian.sh SUITE [TARGET]    e.g. trixie (Python 3.13), sid (Python 3.14)
#   scripts/test_in_debian.sh SUITE --student   e.g. bookworm (Python 3.11)
#
# TARGET is the make target (default: test; `test-latest` tries the newest releases).
# The root is kept in ${DEBIAN_ROOTS:-/var/tmp/mnist-debian}/SUITE (re-used when it exists:
# remove it to start from nothing); the log in that folder's root/SUITE-TARGET.log.
#
# --student checks the README's pip-only path as a student takes it, instead of `make test`:
# a root with neither make nor Graphviz (checked: `command -v make`, `command -v dot`), an
# ordinary user `student` (not root: nothing can be installed outside the clone), the fresh
# clone in that user's home, the README's commands (venv, pip install of the lock, of the
# course's library, `mnist-tutorial data`), then nbval on every notebook in the plain
# `python3` kernel, as `make nbval` runs it but without make. Its root is SUITE-student (kept
# apart from the one with make); the log is home/student/SUITE-student.log in it. BEFORE_NBVAL,
# when set, is a command run here just before nbval (e.g. to wait until another CPU-heavy job
# on a shared machine has finished, so the notebook times are not disturbed).
set -euo pipefail
suite=${1:?usage: scripts/test_in_debian.sh SUITE [TARGET | --student]}
target=${2:-test}
repo=$(cd "$(dirname "$0")/.." && pwd)
base=${DEBIAN_ROOTS:-/var/tmp/mnist-debian}
root=$base/$suite
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The student's root lacks make (and never gets Graphviz), so it cannot share the other one.
packages=python3,python3-venv,python3-pip,make,git,ca-certificates
if [ "$target" = --student ]; then
    root=$base/$suite-student
    packages=python3,python3-venv,python3-pip,git,ca-certificates
fi

[ "$(id -u)" = 0 ] || { echo "test_in_debian.sh: needs root (debootstrap, chroot)"; exit 2; }
command -v debootstrap >/dev/null || {
    echo "Installing debootstrap (apt-get install debootstrap)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

if [ ! -x "$root/usr/bin/python3" ]; then
    echo "== debootstrap $suite into $root"
    rm -rf "$root" && mkdir -p "$root"
    t0=$SECONDS
    debootstrap --variant=minbase --include=$packages \
        "$suite" "$root" "$mirror" >"$root-debootstrap.log" 2>&1 \
        || { tail -20 "$root-debootstrap.log"; exit 1; }
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

if [ "$target" = --student ]; then
    # An ordinary user, as on a student's own machine (useradd is in Debian's `passwd`,
    # required priority, so minbase has it; installed when a root lacks it).
    chroot "$root" sh -c 'command -v useradd' >/dev/null || {
        echo "Installing passwd (useradd) into the root"
        chroot "$root" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq passwd' >/dev/null
    }
    chroot "$root" id -u student >/dev/null 2>&1 || chroot "$root" useradd -m -s /bin/bash student
    uid=$(chroot "$root" id -u student)
    gid=$(chroot "$root" id -g student)
    home=/home/student
    # The fresh clone of HEAD, owned by the student (cloned from here, where the repository is).
    rm -rf "$root$home/mnist-tutorial"
    git clone -q --no-local "$repo" "$root$home/mnist-tutorial"
    chroot "$root" chown -R "$uid:$gid" "$home/mnist-tutorial"
    log=$root$home/$suite-student.log
    : >"$log"
    python=$(chroot "$root" python3 --version)
    # as_student LABEL COMMAND: COMMAND in the clone, as the student (numeric ids, so that the
    # host's user database plays no part), with a clean environment but for pip's settings;
    # its output goes to the log, then how long it took and its status to the log and here.
    as_student() {
        local t=$SECONDS rc
        echo "== $1: $2" >>"$log"
        set +e
        chroot --userspec="$uid:$gid" --groups="$gid" "$root" /usr/bin/env -i HOME=$home \
            USER=student LOGNAME=student PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TERM=dumb \
            $(env | grep -E '^(PIP_|https?_proxy|HTTPS?_PROXY|NO_PROXY)' || true) \
            bash -c "cd $home/mnist-tutorial && $2" >>"$log" 2>&1
        rc=$?
        set -e
        echo "== $1: exited $rc after $((SECONDS - t)) s" | tee -a "$log"
        return $rc
    }
    echo "== $suite ($python): the README's pip-only path as an ordinary user (log: $log)"
    t0=$SECONDS
    # Proof of the setting: not root, and neither make nor Graphviz's dot on the PATH.
    as_student "who" 'id'
    grep -A1 '^== who: id$' "$log" | tail -1
    for tool in make dot; do
        if as_student "$tool" "command -v $tool" >/dev/null; then
            echo "== $tool is present in the root ($(tail -2 "$log" | head -1)): not the student's setting"
            exit 1
        fi
        echo "   $tool: absent (command -v $tool finds nothing)"
    done
    # The README's commands for Linux and macOS, word for word (up to `jupyter lab`).
    rc=0
    as_student "venv" 'python3 -m venv .venv' \
    && as_student "pip install -r requirements.lock" '.venv/bin/python -m pip install -r requirements.lock' \
    && as_student "pip install -e ." '.venv/bin/python -m pip install --no-deps -e .' \
    && as_student "data" '.venv/bin/mnist-tutorial data' \
    || rc=$?
    if [ $rc = 0 ]; then
        [ -z "${BEFORE_NBVAL:-}" ] || { echo "== before nbval: $BEFORE_NBVAL"; bash -c "$BEFORE_NBVAL"; }
        # `make nbval`'s command (NBVAL_FLAGS, NBVAL_TIMING), from the clone's root.
        as_student "nbval" \
            '.venv/bin/python -m pytest -p rig.nbval_tolerance --nbval -p rig.notebook_timing notebooks -q' \
            || rc=$?
        sed -n '/time per file/,$p' "$log" | grep -vE '^== '
        grep -E '^(FAILED|ERROR) ' "$log" || true
    else
        tail -30 "$log"
    fi
    echo "== $suite ($python): the student's path exited $rc after $((SECONDS - t0)) s"
    exit $rc
fi

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
    bash -c "cd /root/mnist-tutorial && make system-packages $target" >"$log" 2>&1
rc=$?
set -e
grep -E '^== |passed|failed|error' "$log" | tail -25
echo "== $suite ($python): make $target exited $rc after $((SECONDS - t0)) s"
exit $rc
