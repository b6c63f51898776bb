# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/vm/vm.t once the guest results are in ($RES, $OUTPUT).
# Parity: parity_test ran in the guest with the tier kernels.conf expects
# of $KERNEL and left canonical transcripts; run it here with the host's
# tier and compare.
# Both runs also checked every event against /proc on their own machine.
parity_host=$RES/host
h_tier=$("$here/kconf.sh" get host tier)
g_tier=$("$here/kconf.sh" get "$KERNEL" tier)
mkdir -p "$parity_host"
if ! grep -qx parity_test "$RES/plan" 2>/dev/null; then
	ok "parity host vs VM # SKIP parity_test was not among the guest tests (VM_TESTS=$VM_TESTS)"
elif [ "$(id -u)" -ne 0 ] && [ "${CI:-}" != true ]; then
	ok "parity host vs VM # SKIP the host side needs root"
else
	NST_TIER=$h_tier NST_TRANSCRIPT_DIR=$parity_host "$OUTPUT/tests/parity_test" \
		>"$parity_host/parity_test.tap" 2>&1
	if [ $? -eq 0 ]; then
		ok "parity_test passes on the host with the $h_tier tier"
	else
		not_ok "parity_test passes on the host with the $h_tier tier" \
			"$(grep -v '^ok' "$parity_host/parity_test.tap" | head -n 30)"
	fi
	for scenario in pod sequence; do
		h=$parity_host/parity-$scenario.txt
		g=$RES/files/parity-$scenario.txt
		name="parity: $scenario gives the same transitions on the host ($h_tier) and in the VM ($KERNEL, $g_tier)"
		if ! grep -q "^# .*, tier $h_tier\$" "$h" 2>/dev/null ||
			! grep -q "^# .*, tier $g_tier\$" "$g" 2>/dev/null; then
			not_ok "$name" "missing transcript or wrong tier: $(head -n 1 "$h" 2>&1)," \
				"$(head -n 1 "$g" 2>&1)"
		elif diff <(grep -v '^#' "$h") <(grep -v '^#' "$g") >"$parity_host/$scenario.diff"; then
			ok "$name ($(grep -vc '^#' "$h") events)"
		else
			not_ok "$name" "$(head -n 40 "$parity_host/$scenario.diff")"
		fi
	done
fi
