#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# scripts/fresh-check.sh refuses what it cannot do before it builds
# anything: without root, and without a way to the package archive, it says
# why and exits 2, leaving no root behind. (The rehearsal itself runs from
# .ci/run and make check-fresh: it takes minutes.)
. "$(dirname "$0")/lib.sh"
needs test fresh
need_root
FRESH=$(cd "$(dirname "$0")/.." && pwd)/scripts/fresh-check.sh

setpriv --reuid=65534 --regid=65534 --clear-groups bash "$FRESH" "$TMP/a" 2>"$TMP/a.err"
st=$?
check "not root: exit 2 (exit $st)" [ $st -eq 2 ]
check "not root: says it needs root" grep -q 'needs root' "$TMP/a.err"
check "not root: nothing made" [ ! -e "$TMP/a" ]

# a network namespace of its own has no route to any archive
unshare -n bash "$FRESH" "$TMP/b" 2>"$TMP/b.err"
st=$?
check "no network: exit 2 (exit $st)" [ $st -eq 2 ]
check "no network: names the archive it cannot reach" \
	grep -q 'cannot reach the package archive http' "$TMP/b.err"
check "no network: no root unpacked" [ -z "$(ls -A "$TMP/b/fresh" 2>/dev/null)" ]
check "no network: nothing left mounted" bash -c "! grep -q ' $TMP/b' /proc/self/mountinfo"
# --deb names a package file, or nothing is started
bash "$FRESH" --deb "$TMP/none.deb" "$TMP/c" 2>"$TMP/c.err"
st=$?
check "--deb without a package: exit 2 (exit $st)" [ $st -eq 2 ]
check "--deb without a package: says which file is none" grep -q "none.deb' is none" "$TMP/c.err"
check "--deb without a package: nothing made" [ ! -e "$TMP/c" ]
done_testing
