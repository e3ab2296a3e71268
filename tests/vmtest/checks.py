# SPDX-License-Identifier: GPL-2.0-or-later
"""A dump taken out of the guest, judged by tools we did not write: makedumpfile reads its
kernel log, libkdumpfile opens it and reads memory, and both agree with what the guest did
(the sysrq panic, on the CPU it was pinned to, by the process that wrote the trigger)."""
import json
import os
import re
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def sid_peers():
    """Debian sid's peer tools (makedumpfile 1.7.8, which knows 6.12), when shared/ has them."""
    for d in (os.environ.get("SHARED"), os.path.join(HERE, "..", "..", "..", "shared")):
        if d:
            p = os.path.join(d, "tools", "sid-peers")
            if os.access(p, os.X_OK):
                return os.path.realpath(p)
    return None


def _first_page(path):
    """The physical address of the first page a kdump-compressed file holds, or None."""
    with open(path, "rb") as f:
        hdr = f.read(464)
        if hdr[:8] != b"KDUMP   ":
            return None
        block_size, sub_hdr_size, bitmap_blocks = struct.unpack_from("<iiI", hdr, 428)
        if block_size != 4096 or not 0 < bitmap_blocks < 1 << 20:
            return None
        half = bitmap_blocks * block_size // 2
        f.seek(block_size * (1 + sub_hdr_size) + half)
        for i in range(0, half, 4096):
            chunk = f.read(4096)
            for j, byte in enumerate(chunk):
                if byte:
                    bit = (byte & -byte).bit_length() - 1
                    return ((i + j) * 8 + bit) * 4096
    return None


def dump_dmesg(vmcore, out_path, log):
    """makedumpfile --dump-dmesg: the host's first, then sid's when the host's fails or says
    it does not support the kernel (bookworm's 1.7.2 and 6.12); returns (tool used, None) or
    (None, why not)."""
    tries = [["makedumpfile"]]
    sid = sid_peers()
    if sid:
        tries.append([sid, "makedumpfile"])
    why = []
    for n, tool in enumerate(tries):
        if os.path.exists(out_path):
            os.unlink(out_path)   # makedumpfile does not overwrite
        p = subprocess.run(tool + ["--dump-dmesg", vmcore, out_path], capture_output=True,
                           text=True)
        with open(log, "a") as f:
            f.write("$ %s --dump-dmesg %s %s\n%s%s(exit %d)\n" %
                    (" ".join(tool), vmcore, out_path, p.stdout, p.stderr, p.returncode))
        unsupported = "kernel version is not supported" in p.stdout + p.stderr
        if unsupported and n + 1 < len(tries):
            why.append("%s: the kernel version is not supported" % " ".join(tool))
            continue
        if p.returncode == 0 and os.path.getsize(out_path) > 0:
            ver = subprocess.run(tool + ["-v"], capture_output=True, text=True)
            return (ver.stdout + ver.stderr).strip().splitlines()[0], None
        last = (p.stdout + p.stderr).strip().splitlines()
        why.append("%s: exit %d (%s)" % (" ".join(tool), p.returncode,
                                         last[-1] if last else "no output"))
    return None, "; ".join(why)


def check_log(lines, crash_cpu, comm="kdump"):
    """The crashed kernel's log ends with the sysrq panic we triggered. Returns (facts,
    failures)."""
    facts, fails = {}, []
    trig = [i for i, s in enumerate(lines) if "sysrq: Trigger a crash" in s]
    panic = [i for i, s in enumerate(lines) if "Kernel panic - not syncing" in s]
    if not trig:
        return facts, ["the log has no 'sysrq: Trigger a crash' line"]
    if not panic or panic[-1] < trig[-1]:
        return facts, ["the log has no 'Kernel panic - not syncing' after the sysrq trigger"]
    # The time stamp, and the caller id that newer makedumpfile prints ("[    T401] ").
    facts["panic_line"] = re.sub(r"^(\[[ 0-9.]+\] ?)?(\[ *[TC]\d+\] ?)?", "",
                                 lines[panic[-1]])
    if "sysrq triggered crash" not in facts["panic_line"]:
        fails.append("the panic is not the sysrq one: %s" % facts["panic_line"])
    if len(panic) > 1:
        fails.append("the log has %d panics; the first: %s" % (len(panic), lines[panic[0]]))
    other = [s for s in lines[:trig[-1]] if re.search(r"\bOops\b|BUG:|general protection", s)]
    if other:
        fails.append("the log shows another failure before the trigger: %s" % other[0])
    for s in lines[trig[-1]:]:
        m = re.search(r"\bCPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+)", s)
        if m:
            facts["log_cpu"], facts["log_pid"], facts["log_comm"] = \
                int(m.group(1)), int(m.group(2)), m.group(3)
            break
    if facts.get("log_cpu") != crash_cpu:
        fails.append("the log says the crash was on CPU %s, the trigger ran on CPU %d" %
                     (facts.get("log_cpu"), crash_cpu))
    if facts.get("log_comm") != comm:
        fails.append("the log says %r crashed the kernel, expected %r" %
                     (facts.get("log_comm"), comm))
    return facts, fails


def check_libkdumpfile(vmcore, release, cpus, crash_cpu, pid):
    facts, fails = {}, []
    try:
        import kdumpfile
    except ImportError:
        return facts, ["python3-libkdumpfile is not installed (apt-get install "
                       "python3-libkdumpfile)"]
    try:
        k = kdumpfile.kdumpfile(vmcore)
        facts["lkf_format"] = str(k.attr["file.format"])
        facts["lkf_release"] = str(k.attr["linux.uts.release"])
        facts["lkf_cpus"] = int(k.attr["cpu.number"])
        addr = _first_page(vmcore)
        addrs = [addr] if addr is not None else [0x100000, 0x1000000]
        for i, a in enumerate(addrs):
            try:
                k.read(kdumpfile.KDUMP_MACHPHYSADDR, a, 4096)
                facts["lkf_page_read"] = "%#x" % a
                break
            except Exception:  # noqa: BLE001
                if i == len(addrs) - 1:
                    raise
        try:
            facts["lkf_crash_cpu_pid"] = int(k.attr["cpu.%d.pid" % crash_cpu])
        except (KeyError, TypeError):
            facts["lkf_crash_cpu_pid"] = None
    except Exception as e:  # noqa: BLE001 - any failure of the peer fails the check
        return facts, ["libkdumpfile cannot read %s: %s" % (vmcore, e)]
    if facts["lkf_release"] != release:
        fails.append("libkdumpfile: the dump is of %s, the guest ran %s" %
                     (facts["lkf_release"], release))
    if facts["lkf_cpus"] != cpus:
        fails.append("libkdumpfile: %d CPUs in the dump, the guest had %d" %
                     (facts["lkf_cpus"], cpus))
    if pid is not None and facts["lkf_crash_cpu_pid"] != pid:
        fails.append("libkdumpfile: CPU %d was running pid %s at the crash, the log says %d" %
                     (crash_cpu, facts["lkf_crash_cpu_pid"], pid))
    return facts, fails


def check_info(info_path, release, crash_cpu, pid):
    facts, fails = {}, []
    try:
        with open(info_path) as f:
            info = json.load(f)
    except (OSError, ValueError) as e:
        return facts, ["info.json: %s" % e]
    cc = info.get("crashing_cpu") or {}
    facts["info_osrelease"] = info.get("osrelease")
    facts["info_panic"] = info.get("panic_message")
    facts["info_crashing_cpu"] = cc.get("cpu")
    if info.get("osrelease") != release:
        fails.append("info.json: osrelease %r, the guest ran %s" %
                     (info.get("osrelease"), release))
    if "sysrq triggered crash" not in (info.get("panic_message") or ""):
        fails.append("info.json: panic_message %r" % info.get("panic_message"))
    if cc.get("cpu") != crash_cpu:
        fails.append("info.json: crashing CPU %r, the trigger ran on CPU %d" %
                     (cc.get("cpu"), crash_cpu))
    if pid is not None and cc.get("pid") != pid:
        fails.append("info.json: crashing pid %r, the log says %d" % (cc.get("pid"), pid))
    return facts, fails


def check_dump(dump_dir, release, cpus, crash_cpu):
    """All peer checks of a dump directory taken from the guest (vmcore, dmesg.txt,
    info.json). Returns (facts, failures)."""
    facts, fails = {}, []
    vmcore = os.path.join(dump_dir, "vmcore")
    log = os.path.join(dump_dir, "checks.log")
    mdf_out = os.path.join(dump_dir, "makedumpfile-dmesg.txt")
    tool, why = dump_dmesg(vmcore, mdf_out, log)
    pid = None
    if tool is None:
        fails.append("makedumpfile --dump-dmesg cannot read the dump: %s" % why)
    else:
        facts["makedumpfile"] = tool
        with open(mdf_out, errors="replace") as f:
            lines = f.read().splitlines()
        facts["log_lines"] = len(lines)
        f2, e2 = check_log(lines, crash_cpu)
        facts.update(f2)
        fails += ["makedumpfile's log: " + e for e in e2]
        pid = facts.get("log_pid")
        # kdump's own dmesg.txt beside the dump tells the same end.
        try:
            with open(os.path.join(dump_dir, "dmesg.txt"), errors="replace") as f:
                ours = f.read()
            if facts.get("panic_line") and facts["panic_line"] not in ours:
                fails.append("dmesg.txt lacks the panic line makedumpfile read: %s" %
                             facts["panic_line"])
        except OSError as e:
            fails.append("dmesg.txt: %s" % e)
    f3, e3 = check_libkdumpfile(vmcore, release, cpus, crash_cpu, pid)
    facts.update(f3)
    fails += e3
    f4, e4 = check_info(os.path.join(dump_dir, "info.json"), release, crash_cpu, pid)
    facts.update(f4)
    fails += e4
    return facts, fails
