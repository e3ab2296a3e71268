# SPDX-License-Identifier: GPL-2.0-or-later
"""The admin's cycle on an installed Debian system: install kdump's package, set
crashkernel= through GRUB, reboot, find the service armed, crash, let the capture kernel write
the dump to /var/crash and reboot, find the dump with `kdump list`, take it out and judge it
with peer tools. Or, with kexec_reboot, stage the running kernel with kexec-load@ and
`systemctl kexec` into it without going through the firmware."""
import hashlib
import json
import os
import re
import shlex
import time

from . import checks, image, qemu
from .agent import Agent, AgentError
from .results import Results, StepFailed

GUEST_PATH = "export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8; "
CRASH_CPU = 0
KDUMP = "/usr/sbin/kdump"


class Cycle:
    def __init__(self, system, firmware, layout, out, deb, mem=1024, kexec_reboot=False,
                 keep=False, verbose=False, boot_timeout=600, rebuild_image=False):
        self.system, self.firmware, self.layout = system, firmware, layout
        self.out = os.path.abspath(out)
        self.deb = os.path.abspath(deb)
        self.mem = mem
        self.kexec_reboot = kexec_reboot
        self.keep = keep
        self.verbose = verbose
        self.boot_timeout = boot_timeout
        self.rebuild_image = rebuild_image
        self.machine = None
        self.agent = None
        self.boots = []       # one dict per boot: boot id, console index and time it began
        self.release = None
        os.makedirs(self.out, exist_ok=True)
        for f in ("console.log", "qemu.cmdline", "qemu.stderr", "OVMF_VARS.fd"):
            if os.path.exists(os.path.join(self.out, f)):
                os.unlink(os.path.join(self.out, f))
        self.res = Results(self.out, system=system, firmware=firmware, layout=layout,
                           mode="kexec-reboot" if kexec_reboot else "crash", deb=self.deb,
                           mem_mib=mem, vcpus=1)

    # ---- helpers ---------------------------------------------------------------------------
    def say(self, msg):
        print("vm-system: %s" % msg, flush=True)

    def sh(self, script, timeout=120):
        """A shell script in the guest; returns (exit status, stdout, stderr)."""
        return self.agent.sh(GUEST_PATH + script, timeout=timeout)

    def must(self, script, timeout=120, what=None):
        """A guest script that must exit 0; returns its stdout."""
        rc, out, err = self.sh(script, timeout)
        if rc != 0:
            raise StepFailed("%s: exit %d\n--- stdout\n%s--- stderr\n%s" %
                             (what or script, rc, out, err))
        return out

    def save(self, name, text):
        with open(os.path.join(self.out, name), "w") as f:
            f.write(text)

    def boot_id(self, timeout=10):
        rc, out, _ = self.agent.run(["/bin/cat", "/proc/sys/kernel/random/boot_id"],
                                    timeout=timeout)
        return out.strip() if rc == 0 else None

    def banner(self):
        return qemu.FIRMWARE_BANNER[self.firmware].pattern

    def wait_new_boot(self, old_id, since, timeout, why):
        """Waits for the agent to answer from a boot other than old_id; records the boot and
        returns it (its console index, time it began, the time the agent answered)."""
        deadline = time.time() + timeout
        new = None
        while time.time() < deadline:
            if not self.machine.running():
                raise StepFailed("QEMU exited (status %s) while waiting for %s:\n%s" %
                                 (self.machine.proc.poll(), why,
                                  self.machine.console.excerpt(since)))
            try:
                if self.agent.sync(timeout=3):
                    new = self.boot_id()
                    if new and new != old_id:
                        break
                    time.sleep(1)
            except (AgentError, OSError):
                self.agent.close()
                time.sleep(1)
        else:
            raise StepFailed("no new boot answered in %d s (%s); console:\n%s" %
                             (timeout, why, self.machine.console.excerpt(since)))
        t_up = time.time()
        fw = self.machine.console.find(self.banner(), since)
        kern = self.machine.console.find(r"Linux version \d", since)
        # The host time of the kernel's clock zero: a kernel line stamped past 1 s (earlier
        # lines are all stamped 0 until the clock runs, and come out in a burst).
        t_zero = None
        stamped = self.machine.console.find(r"^\[ *([1-9]\d*)\.\d{6}\]",
                                            kern[0] if kern else since)
        if stamped:
            secs = float(re.match(r"^\[ *(\d+\.\d+)\]", stamped[2]).group(1))
            t_zero = stamped[1] - secs
        boot = {"boot_id": new, "index": since, "t_agent": t_up,
                "t_firmware": fw[1] if fw else None, "t_kernel": kern[1] if kern else None,
                "t_kernel_clock_zero": t_zero, "firmware_banner": bool(fw)}
        self.boots.append(boot)
        self.machine.console.mark("boot %d is up (agent answered), boot id %s" %
                                  (len(self.boots), new))
        return boot

    def evidence(self, tag):
        """After a failure: what the guest says about kdump, when it still answers."""
        try:
            if self.agent and self.machine and self.machine.running() and \
                    self.agent.sync(timeout=3):
                _, out, err = self.sh("systemctl --no-pager status kdump; "
                                      "journalctl -b --no-pager -u kdump; "
                                      "kdump status; cat /proc/cmdline", timeout=60)
                self.save("evidence-%s.txt" % tag, out + err)
                _, out, err = self.sh("journalctl -b --no-pager | tail -n 300", timeout=60)
                self.save("journal-%s.txt" % tag, out + err)
        except Exception as e:  # noqa: BLE001 - evidence is best effort
            self.say("could not collect evidence: %s" % e)

    # ---- steps -------------------------------------------------------------------------------
    def step_image(self):
        with self.res.step("image", self.say) as st:
            path, meta, built = image.ensure(self.system, self.firmware, self.layout,
                                             self.say, echo=self.verbose,
                                             rebuild=self.rebuild_image)
            st.info.update({"image": path, "built_now": built, "kernel": meta["kernel"],
                            "build_times": meta["times"]})
            self.image_path = path
            self.image_meta = meta

    def step_boot(self):
        with self.res.step("boot", self.say) as st:
            overlay = os.path.join(self.out, "disk.qcow2")
            qemu.make_overlay(self.image_path, overlay)
            self.machine = qemu.Machine(self.out, firmware=self.firmware, mem=self.mem,
                                        disks=[(overlay, "qcow2", image.DISK_SERIAL,
                                                "writeback")],
                                        echo=self.verbose)
            self.machine.start()
            self.machine.console.mark("boot 1: %s, %s firmware, layout %s" %
                                      (self.system, self.firmware, self.layout))
            self.agent = Agent(self.machine.agent_socket)
            boot = self.wait_new_boot(None, 0, self.boot_timeout, "the first boot")
            self.release = self.must("uname -r").strip()
            st.info.update({"boot_id": boot["boot_id"], "release": self.release,
                            "firmware_banner": boot["firmware_banner"],
                            "seconds_to_agent": round(boot["t_agent"] - self.machine.t0, 1)})
            st.info["cmdline"] = self.must("cat /proc/cmdline").strip()
            if self.release != self.image_meta["kernel"]:
                raise StepFailed("the image was built with %s but runs %s" %
                                 (self.image_meta["kernel"], self.release))
            if not boot["firmware_banner"]:
                raise StepFailed("the firmware's banner (%s) is not on the console of the "
                                 "first boot: the console does not show the firmware, so "
                                 "the kexec check could not tell" % self.banner())

    def step_install(self):
        with self.res.step("install-package", self.say) as st:
            name = os.path.basename(self.deb)
            dest = "/var/tmp/" + name
            st.info["package"] = name
            st.info["bytes"] = self.agent.copy_in(self.deb, dest)
            out = self.must("cd /var/tmp && DEBIAN_FRONTEND=noninteractive apt-get install "
                            "-y ./%s 2>&1" % shlex.quote(name), timeout=600,
                            what="apt-get install ./%s" % name)
            self.save("apt-install.txt", out)
            status = self.must("dpkg-query -W -f='${Status} ${Version}' kdump").strip()
            st.info["dpkg"] = status
            if not status.startswith("install ok installed"):
                raise StepFailed("dpkg says kdump is %r after apt-get install" % status)
            rc, enabled, _ = self.sh("systemctl is-enabled kdump.service")
            st.info["enabled"] = enabled.strip()
            if enabled.strip() != "enabled":
                raise StepFailed("kdump.service is %r after installing the package, not "
                                 "enabled" % enabled.strip())
            st.info["version"] = self.must("kdump version").strip()

    def step_configure(self):
        with self.res.step("configure", self.say) as st:
            # The capture init reboots after the dump (also kdump.conf's default: said
            # explicitly, as an admin following the brief would).
            self.must("grep -qx 'final_action reboot' /etc/kdump.conf || "
                      "sed -i 's/^#final_action reboot$/final_action reboot/' /etc/kdump.conf;"
                      " grep -qx 'final_action reboot' /etc/kdump.conf || "
                      "echo 'final_action reboot' >>/etc/kdump.conf")
            self.save("config-check.txt", self.must("kdump config check 2>&1",
                                                    what="kdump config check"))
            out = self.must("kdump crashkernel --set 2>&1", what="kdump crashkernel --set")
            self.save("crashkernel-set.txt", out)
            st.info["crashkernel_set"] = out.strip().splitlines()[-3:]
            self.save("update-grub.txt", self.must("update-grub 2>&1", timeout=300,
                                                   what="update-grub"))
            got = self.must("grep -o 'crashkernel=[^ ]*' /boot/grub/grub.cfg | sort -u || "
                            "true").split()
            st.info["grub_cfg_crashkernel"] = got
            if not got:
                raise StepFailed("update-grub did not put crashkernel= into "
                                 "/boot/grub/grub.cfg; kdump crashkernel --set said:\n" + out)
            self.crashkernel = got[0]

    def step_reboot(self):
        with self.res.step("reboot", self.say) as st:
            old = self.boots[-1]["boot_id"]
            since = self.machine.console.mark("reboot: systemctl reboot")
            self.agent.spawn(["/bin/systemctl", "reboot"])
            boot = self.wait_new_boot(old, since, self.boot_timeout, "the reboot")
            cmdline = self.must("cat /proc/cmdline").strip()
            st.info["cmdline"] = cmdline
            st.info["firmware_banner"] = boot["firmware_banner"]
            if self.crashkernel not in cmdline.split():
                raise StepFailed("the rebooted kernel's command line lacks %s: %s" %
                                 (self.crashkernel, cmdline))
            size = int(self.must("cat /sys/kernel/kexec_crash_size").strip() or 0)
            st.info["crash_size"] = size
            if size <= 0:
                raise StepFailed("%s reserved nothing (/sys/kernel/kexec_crash_size is 0); "
                                 "dmesg: %s" % (self.crashkernel,
                                                self.must("dmesg | grep -i crash || true")))

    def _wait_active(self, st, name, settled):
        """Polls kdump.service until it is active (with settled: and no job of it queued,
        so that a restart under way is waited for)."""
        deadline = time.time() + 600
        state = None
        seen = st.info.setdefault("states_seen", [])
        failed_since = None
        while time.time() < deadline:
            _, out, _ = self.sh("systemctl is-active kdump.service; "
                                "systemctl list-jobs --no-legend kdump.service | wc -l")
            words = out.split()
            state = words[0] if words else "?"
            jobs = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
            label = state + (" (job queued)" if jobs else "")
            if not seen or seen[-1] != label:
                seen.append(label)
            if state == "active" and not (settled and jobs):
                return
            # A restart (the udev rule's try-restart) passes through "failed" when it
            # kills a start in progress: only a failure that stays is one.
            if state != "failed":
                failed_since = None
            elif failed_since is None:
                failed_since = time.time()
            if failed_since is not None and time.time() - failed_since > 15:
                self.evidence(name)
                raise StepFailed("kdump.service failed at boot; systemctl status and "
                                 "its journal are in evidence-%s.txt:\n%s" %
                                 (name, self.sh("systemctl --no-pager status kdump; "
                                                "journalctl -b --no-pager -u kdump")[1]))
            time.sleep(1)
        self.evidence(name)
        raise StepFailed("kdump.service is still %r 10 min after boot" % state)

    def step_armed(self, name="armed"):
        """kdump.service arms at boot: active once the boot is over (is-system-running
        --wait) and no restart of it is queued, kdump status exit 0, a capture kernel loaded.
        Returns (host time it became active for the last time, seconds from the kernel's
        start to then)."""
        with self.res.step(name, self.say) as st:
            self._wait_active(st, name, settled=False)
            rc, out, _ = self.sh("systemctl is-system-running --wait", timeout=600)
            st.info["system_running"] = out.strip()
            self._wait_active(st, name, settled=True)
            # How often the service was started in this boot (the journal's "Starting" lines
            # of the unit): more than once means something restarted it while it armed.
            journal = self.must("journalctl -b --no-pager -o short-monotonic -u kdump.service")
            self.save("journal-kdump-%s.txt" % name, journal)
            st.info["service_starts"] = len(re.findall(r"Starting kdump\.service", journal))
            builds = re.findall(r"building the capture initramfs \S+ \(([^)]*)\)", journal)
            st.info["initramfs_builds"] = builds
            if name != "armed" and "its inputs changed" in builds:
                # Nothing of kdump's inputs changed since the boot that armed it first.
                self.res.warn("%s: kdump start rebuilt the capture initramfs, saying its "
                              "inputs changed (journal-kdump-%s.txt)" % (name, name))
            killed = [t for t in journal.splitlines() if "code=killed" in t]
            if st.info["service_starts"] > 1 or killed:
                self.res.warn("%s: kdump.service was started %d times in this boot%s (%s)" %
                              (name, st.info["service_starts"],
                               "; " + killed[0].split(": ", 1)[-1] if killed else "",
                               "journal-kdump-%s.txt" % name))
            mono = self.must("systemctl show -p ActiveEnterTimestampMonotonic --value "
                             "kdump.service").strip()
            mono = int(mono or 0) / 1e6
            st.info["systemd_active_after_kernel_start"] = round(mono, 2)
            # Host time: systemd's monotonic time from the kernel clock's zero on the console.
            boot = self.boots[-1]
            zero = boot.get("t_kernel_clock_zero")
            t_active = zero + mono if zero and mono else time.time()
            rc, out, err = self.sh("kdump status")
            self.save("kdump-status-%s.txt" % name, out + err)
            st.info["kdump_status_exit"] = rc
            if rc != 0:
                self.evidence(name)
                raise StepFailed("kdump status exits %d (not armed) although kdump.service "
                                 "is active:\n%s%s" % (rc, out, err))
            loaded = self.must("cat /sys/kernel/kexec_crash_loaded").strip()
            if loaded != "1":
                raise StepFailed("/sys/kernel/kexec_crash_loaded is %s" % loaded)
            js = json.loads(self.must("kdump status --json"))
            st.info["status"] = {k: js.get(k) for k in ("loaded", "release", "initramfs_state",
                                                         "target", "dump_dir", "dumps")}
            if js.get("initramfs_state") != "up to date":
                # What kdump compared: its stamp of the inputs, and /proc/mounts (one of them,
                # by content) as it is now.
                _, out, err = self.sh("cat /var/lib/kdump/initrd.img-$(uname -r).stamp; "
                                      "echo '--- /proc/mounts now'; cat /proc/mounts")
                self.save("initramfs-stamp-%s.txt" % name, out + err)
                self.res.warn("%s: right after kdump.service armed, kdump status says the "
                              "capture initramfs is %r (kdump-status-%s.txt, "
                              "initramfs-stamp-%s.txt)" %
                              (name, js.get("initramfs_state"), name, name))
            return t_active, mono

    def step_crash(self):
        with self.res.step("crash", self.say) as st:
            con = self.machine.console
            self.crash_boot = self.boots[-1]
            since = con.mark("crash: taskset -c %d kdump test --yes" % CRASH_CPU)
            self.agent.spawn(["/usr/bin/taskset", "-c", str(CRASH_CPU), KDUMP, "test",
                              "--yes"])
            _, t_trig, _ = con.wait_for(r"sysrq: Trigger a crash", since, 60)
            i, t_panic, line = con.wait_for(r"Kernel panic - not syncing", since, 60)
            st.info["panic_line"] = re.sub(r"^\[[ 0-9.]+\] ", "", line)
            self.t_panic, self.i_panic = t_panic, i
            # The capture kernel: our init's lines; another panic or a firmware reset
            # before the dump is written is a failure.
            bad = r"Kernel panic - not syncing|%s" % self.banner()
            try:
                i_up, t_up, _ = con.wait_for(r"kdump-init: capture kernel up", i + 1, 300,
                                             fail=bad)
                i_disk, t_disk, _ = con.wait_for(r"kdump-init: dump on disk", i_up, 900,
                                                 fail=bad)
                i_done, t_done, _ = con.wait_for(r"kdump-init: dump complete", i_disk, 300,
                                                 fail=bad)
                i_act, _, act = con.wait_for(r"kdump-init: (reboot|halt|poweroff)$", i_done,
                                             120, fail=bad)
            except qemu.ConsoleTimeout as e:
                raise StepFailed("the capture did not complete: %s\nconsole since the "
                                 "panic:\n%s" % (e, con.excerpt(i, last=60))) from None
            if not act.endswith("reboot"):
                raise StepFailed("the capture init's final action is %r, not reboot" % act)
            lines = [t for _, t in con.lines[i_up:i_act + 1]]
            st.info["capture_lines"] = [t for t in lines if "kdump-init:" in t][:40]
            self.res.phase("panic_to_capture_kernel_up", t_up - t_panic)
            self.res.phase("panic_to_dump_on_disk", t_disk - t_panic)
            self.res.phase("panic_to_dump_complete", t_done - t_panic)
            self.i_final = i_act

    def step_up_again(self):
        with self.res.step("up-again", self.say) as st:
            old = self.crash_boot["boot_id"]
            boot = self.wait_new_boot(old, self.i_final, self.boot_timeout,
                                      "the boot after the dump")
            st.info["firmware_banner"] = boot["firmware_banner"]
            if not boot["firmware_banner"]:
                raise StepFailed("no firmware banner after the capture init's reboot: the "
                                 "machine did not reset")
            self.res.phase("panic_to_agent_up_again", boot["t_agent"] - self.t_panic)
        t_active, _ = self.step_armed("armed-again")
        self.res.phase("panic_to_armed_again", t_active - self.t_panic)

    def step_list(self):
        with self.res.step("kdump-list", self.say) as st:
            text = self.must("kdump list 2>&1", what="kdump list")
            self.save("kdump-list.txt", text)
            js = json.loads(self.must("kdump list --json", what="kdump list --json"))
            dumps = js.get("dumps") or []
            st.info["dir"] = js.get("dir")
            st.info["dumps"] = dumps
            if len(dumps) != 1:
                raise StepFailed("kdump list shows %d dumps, expected the one just made:\n%s" %
                                 (len(dumps), text))
            d = dumps[0]
            if d.get("status") != "complete":
                raise StepFailed("kdump list: the dump is %s:\n%s" % (d.get("status"), text))
            if d.get("release") != self.release:
                raise StepFailed("kdump list: the dump is of %s, the guest ran %s" %
                                 (d.get("release"), self.release))
            if "sysrq triggered crash" not in (d.get("panic") or ""):
                raise StepFailed("kdump list: panic %r" % d.get("panic"))
            self.dump_dir = os.path.join(js["dir"], d["name"])
            self.dump_file = d.get("file") or "vmcore"
            if not self.dump_dir.startswith("/var/crash/"):
                raise StepFailed("the dump is in %s, not under /var/crash" % self.dump_dir)
            ls = self.must("ls -l %s" % shlex.quote(self.dump_dir))
            st.info["files"] = ls.strip().splitlines()[1:]
            for f in ("dmesg.txt", "info.json", self.dump_file, self.dump_file + ".sha256"):
                if not re.search(r"\s%s$" % re.escape(f), ls, re.M):
                    raise StepFailed("%s has no %s:\n%s" % (self.dump_dir, f, ls))
            # It is on the root filesystem's /var/crash (no other target is configured).
            st.info["filesystem"] = self.must("findmnt -n -o SOURCE,FSTYPE,TARGET -T %s" %
                                              shlex.quote(self.dump_dir)).strip()
        with self.res.step("kdump-verify", self.say) as st:
            path = os.path.join(self.dump_dir, self.dump_file)
            rc, out, err = self.sh("kdump verify %s" % shlex.quote(path), timeout=300)
            st.info["exit"] = rc
            st.info["output"] = (out + err).strip().splitlines()[-5:]
            if rc != 0:
                raise StepFailed("kdump verify %s exits %d:\n%s%s" % (path, rc, out, err))

    def step_collect(self):
        """The dump is taken out through the agent's guest-file-read while the system runs:
        the same path an admin's scp takes, no disk image parsing on the host, and the
        guest's own sha256sum to compare with."""
        with self.res.step("collect", self.say) as st:
            dest = os.path.join(self.out, "dump")
            os.makedirs(dest, exist_ok=True)
            t = time.time()
            sizes = {}
            for f in (self.dump_file, self.dump_file + ".sha256", "dmesg.txt", "info.json"):
                target = "vmcore" if f == self.dump_file else \
                    ("vmcore.sha256" if f == self.dump_file + ".sha256" else f)
                sizes[f] = self.agent.copy_out(os.path.join(self.dump_dir, f),
                                               os.path.join(dest, target))
            st.info["bytes"] = sizes
            st.info["copy_seconds"] = round(time.time() - t, 1)
            guest_sum = self.must("sha256sum %s" % shlex.quote(
                os.path.join(self.dump_dir, self.dump_file))).split()[0]
            h = hashlib.sha256()
            with open(os.path.join(dest, "vmcore"), "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            st.info["sha256"] = h.hexdigest()
            if h.hexdigest() != guest_sum:
                raise StepFailed("the copy's sha256 %s differs from the guest's %s" %
                                 (h.hexdigest(), guest_sum))
            with open(os.path.join(dest, "vmcore.sha256")) as f:
                manifest = f.readline().split()[0]
            if manifest != guest_sum:
                raise StepFailed("the dump's manifest says %s, its bytes hash to %s" %
                                 (manifest, guest_sum))
            self.local_dump = dest

    def step_peer_checks(self):
        with self.res.step("peer-checks", self.say) as st:
            facts, fails = checks.check_dump(self.local_dump, self.release, 1, CRASH_CPU)
            st.info.update(facts)
            if fails:
                raise StepFailed("; ".join(fails))

    def step_kexec(self):
        with self.res.step("kexec-load", self.say) as st:
            # The admin's command, as the unit's own comment gives it.
            rc, out, err = self.sh("systemctl start kexec-load@$(uname -r).service && "
                                   "systemctl is-active kexec-load@$(uname -r).service")
            st.info["unit"] = (out + err).strip().splitlines()
            if rc != 0:
                # The same name the start used (systemctl mangles it the same way).
                _, status, _ = self.sh("systemctl --no-pager status "
                                       "kexec-load@$(uname -r).service 2>/dev/null; "
                                       "journalctl -b --no-pager -u 'kexec-load@*'")
                raise StepFailed("systemctl start kexec-load@$(uname -r) (release %s): exit %d"
                                 "\n%s%s--- the unit:\n%s" % (self.release, rc, out, err,
                                                               status))
            loaded = self.must("cat /sys/kernel/kexec_loaded").strip()
            st.info["kexec_loaded"] = loaded
            if loaded != "1":
                raise StepFailed("/sys/kernel/kexec_loaded is %s after kexec-load@ started:\n"
                                 "%s" % (loaded, self.sh("journalctl -b --no-pager -u "
                                                         "'kexec-load@*'")[1]))
        with self.res.step("kexec-reboot", self.say) as st:
            old = self.boots[-1]
            con = self.machine.console
            since = con.mark("kexec: systemctl kexec")
            t0 = time.time()
            self.agent.spawn(["/bin/systemctl", "kexec"])
            boot = self.wait_new_boot(old["boot_id"], since, self.boot_timeout,
                                      "the kexec reboot")
            st.info["boot_id_before"] = old["boot_id"]
            st.info["boot_id_after"] = boot["boot_id"]
            fw = con.find(self.banner(), since)
            kern = con.find(r"Linux version \d", since)
            st.info["firmware_banner_between"] = fw[2] if fw else None
            if fw:
                # What the shutdown said about kexec: the unit's stop, systemd-shutdown's try.
                said = [t for _, t in con.lines[since:fw[0]]
                        if re.search(r"kexec|Rebooting", t, re.I)]
                st.info["console_kexec_lines"] = said
                raise StepFailed("the firmware ran between the two boots (%r on the console "
                                 "after systemctl kexec): this was not a kexec reboot. The "
                                 "console's kexec lines before it:\n%s" %
                                 (fw[2], "\n".join(said)))
            if not kern:
                raise StepFailed("no 'Linux version' line after systemctl kexec: the new "
                                 "kernel's boot is not on the console")
            st.info["new_kernel_line"] = kern[2]
            release = self.must("uname -r").strip()
            if release != self.release:
                raise StepFailed("the staged kernel was %s, the new boot runs %s" %
                                 (self.release, release))
            st.info["cmdline"] = self.must("cat /proc/cmdline").strip()
            self.res.phase("kexec_to_agent_up", boot["t_agent"] - t0)
        t_active, _ = self.step_armed("armed-after-kexec")
        self.res.phase("kexec_to_armed", t_active - t0)

    def step_shutdown(self):
        with self.res.step("shutdown", self.say) as st:
            # Not the agent's guest-shutdown: it runs `shutdown -P +0`, which asks logind over
            # D-Bus, and this minimal system has neither.
            self.machine.console.mark("shutdown: systemctl poweroff")
            self.agent.spawn(["/bin/systemctl", "poweroff"])
            rc = self.machine.wait(180)
            st.info["qemu_exit"] = rc
            if rc is None:
                raise StepFailed("the guest did not power off in 180 s")

    # ---- the run -------------------------------------------------------------------------------
    def run(self):
        failure = None
        try:
            self.step_image()
            self.step_boot()
            self.step_install()
            self.step_configure()
            self.step_reboot()
            boot = self.boots[-1]
            t_active, mono = self.step_armed()
            start = boot["t_firmware"] or boot["t_kernel"]
            self.res.phase("boot_to_armed", t_active - start if start else None)
            if boot["t_kernel"]:
                self.res.phase("kernel_to_armed_systemd", mono)
            if self.kexec_reboot:
                self.step_kexec()
            else:
                self.step_crash()
                self.step_up_again()
                self.step_list()
                self.step_collect()
                self.step_peer_checks()
            self.step_shutdown()
        except StepFailed as e:
            failure = str(e).splitlines()[0]
            self.say("FAILED: %s" % e)
        except (AgentError, qemu.ConsoleTimeout, OSError, RuntimeError,
                image.BuildError) as e:
            failure = "%s: %s" % (type(e).__name__, e)
            self.say("FAILED: %s" % failure)
        except KeyboardInterrupt:
            failure = "interrupted"
            raise
        finally:
            if failure and not failure.startswith("interrupted"):
                self.evidence("failure")
            if self.machine:
                self.machine.close()
            if self.agent:
                self.agent.close()
            self.res.set("boots", [{k: v for k, v in b.items()} for b in self.boots])
            self.res.finish(failure is None, failure)
            if not self.keep:
                for f in ("disk.qcow2", "OVMF_VARS.fd", "qga.sock"):
                    p = os.path.join(self.out, f)
                    if os.path.exists(p):
                        os.unlink(p)
        return failure is None
