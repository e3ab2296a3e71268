#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump config check / show: exit statuses, diagnostics, effective config, JSON, --root,
# the shipped default config and the kdump.conf(5) / kdump(8) man pages.
set -u
. "$(dirname "$0")/lib.sh"
tmpdir tmp

# The shipped default config is valid and gives no warning.
install -m 0644 "$top/conf/kdump.conf" "$tmp/default.conf"
"$KDUMP" config check -c "$tmp/default.conf" >"$tmp/out" 2>"$tmp/err" || fail "default config: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "default config warns: $(cat "$tmp/err")"
grep -qx 'core_collector kdump capture -d 31 -l' "$tmp/out" || fail "default collector: $(cat "$tmp/out")"

# Errors: exit 1, compiler-style lines and a count.
printf 'pth /var/crash\next4 UUID=1234\nnfs srv:/x\n' >"$tmp/bad.conf"
chmod 0644 "$tmp/bad.conf"
"$KDUMP" config check --config "$tmp/bad.conf" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "bad config: exit status"
[ ! -s "$tmp/out" ] || fail "bad config printed a configuration"
cat >"$tmp/want" <<EOT
kdump: error: $tmp/bad.conf:1:1: unknown directive "pth" (did you mean "path"?)
kdump: error: $tmp/bad.conf:3:1: second dump target "nfs" (the target is already "ext4" on line 2); give one target
$tmp/bad.conf: 2 errors, 0 warnings
EOT
diff -u "$tmp/want" "$tmp/err" || fail "bad config diagnostics"

# Warnings keep exit 0; --quiet prints no configuration; show prints no warning.
mkdir -p "$tmp/root/etc"
printf 'ssh kdump@dumps.example.com\ncore_collector makedumpfile -l --message-level 7 -d 31\n' \
	>"$tmp/root/etc/kdump.conf"
chmod 0600 "$tmp/root/etc/kdump.conf"
"$KDUMP" config check --root "$tmp/root" -q >"$tmp/out" 2>"$tmp/err" || fail "warnings: exit status"
[ ! -s "$tmp/out" ] || fail "--quiet printed the configuration"
[ "$(wc -l <"$tmp/err")" = 2 ] || fail "expected 2 warnings: $(cat "$tmp/err")"
grep -q "^kdump: warning: $tmp/root/etc/kdump.conf:2:32: core_collector: makedumpfile option --message-level is ignored" "$tmp/err" ||
	fail "message-level warning: $(cat "$tmp/err")"
"$KDUMP" config show --root "$tmp/root" >"$tmp/out" 2>"$tmp/err" || fail "show"
[ ! -s "$tmp/err" ] || fail "show printed warnings"
grep -qx 'core_collector kdump capture -d 31 -l -F' "$tmp/out" || fail "show: $(cat "$tmp/out")"
grep -qx 'ssh kdump@dumps.example.com' "$tmp/out" || fail "show target"

# JSON (checked by a JSON parser we did not write).
"$KDUMP" config check --root "$tmp/root" --json >"$tmp/json" || fail "json exit status"
/usr/bin/python3 - "$tmp/json" <<'EOT' || fail "json content: $(cat "$tmp/json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["valid"] is True and j["errors"] == [] and len(j["warnings"]) == 2, j
c = j["config"]
assert c["target"] == {"kind": "ssh", "spec": "kdump@dumps.example.com", "user": "kdump",
                       "host": "dumps.example.com", "port": 22, "remote": True}, c["target"]
assert c["core_collector"]["flattened"] is True and c["core_collector"]["compress"] == "lzo"
assert c["keep"] is None and c["verify"] == "auto" and c["sshkey"] == "/root/.ssh/kdump_id_rsa"
EOT
"$KDUMP" config check -c "$tmp/bad.conf" --json >"$tmp/json"
[ $? = 1 ] || fail "bad json: exit status"
/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert not j["valid"] and len(j["errors"]) == 2 and j["config"] is None and j["errors"][0]["line"] == 1' "$tmp/json" ||
	fail "bad json content"

# An unsafe file is refused, naming the mode; a missing one too.
chmod 0666 "$tmp/bad.conf"
"$KDUMP" config check -c "$tmp/bad.conf" >/dev/null 2>"$tmp/err"
[ $? = 1 ] || fail "world-writable: exit status"
grep -q "writable by every user (mode 0666)" "$tmp/err" || fail "world-writable: $(cat "$tmp/err")"
"$KDUMP" config check -c "$tmp/none.conf" 2>"$tmp/err"
[ $? = 1 ] || fail "missing file: exit status"
grep -q "cannot open $tmp/none.conf: No such file or directory" "$tmp/err" || fail "missing: $(cat "$tmp/err")"

# Usage errors exit 2; --help is the usage, each option, the exit statuses, and kdump(8).
"$KDUMP" config check --bogus 2>/dev/null
[ $? = 2 ] || fail "usage: exit status"
"$KDUMP" config check extra 2>/dev/null
[ $? = 2 ] || fail "usage: extra argument"
"$KDUMP" config check --help >"$tmp/help"
grep -q '^Usage: kdump config check ' "$tmp/help" && grep -q -- '--quiet' "$tmp/help" &&
	grep -q '^Exit status: 0 ' "$tmp/help" && grep -q 'kdump(8)' "$tmp/help" || fail "--help"

# The man pages format without groff warnings.
for page in conf/kdump.conf.5 kdump/kdump.8; do
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 groff -man -Tutf8 -ww -z "$top/$page" 2>&1)
	[ -z "$out" ] || fail "$page: $out"
done
echo "config check: all cases passed"
