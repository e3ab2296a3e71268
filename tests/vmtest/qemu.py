# SPDX-License-Identifier: GPL-2.0-or-later
"""One QEMU process (TCG, virtio disks, serial console, guest agent port) and its console log."""
import os
import re
import shutil
import subprocess
import threading
import time

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# What each firmware prints on the serial console when the machine starts or resets.
FIRMWARE_BANNER = {
    "bios": re.compile(r"SeaBIOS \(version"),
    "ovmf": re.compile(r"BdsDxe"),
}

_ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78cDEHM])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ConsoleTimeout(Exception):
    """A pattern did not show on the console in time."""


class Console:
    """Reads the guest's serial console from a pipe, one timestamped line at a time.

    Every line is written to the log file as "[HH:MM:SS.mmm +SECONDS] text" (host clock; the
    time is when the line's first byte arrived) and kept in memory for wait_for().
    """

    def __init__(self, log_path, t0, echo=False):
        self.t0 = t0
        self.echo = echo
        self.lines = []          # (host time, text)
        self._cond = threading.Condition()
        self._log = open(log_path, "a", encoding="utf-8", errors="replace")
        self._closed = False

    def _stamp(self, t):
        lt = time.localtime(t)
        return "[%s.%03d +%.3f]" % (time.strftime("%H:%M:%S", lt), int(t * 1000) % 1000,
                                    t - self.t0)

    def _add(self, t, text):
        text = _CONTROLS.sub("", _ESCAPES.sub("", text)).rstrip()
        with self._cond:
            self.lines.append((t, text))
            self._log.write("%s %s\n" % (self._stamp(t), text))
            self._log.flush()
            self._cond.notify_all()
        if self.echo:
            print("console: " + text, flush=True)

    def mark(self, text):
        """A line of the harness's own in the log (boot boundaries, commands sent)."""
        self._add(time.time(), "==== vmtest: " + text)
        return len(self.lines)

    def pump(self, stream):
        """Reads the stream until EOF (run in a thread)."""
        buf = b""
        t_line = None
        while True:
            chunk = os.read(stream.fileno(), 65536)
            now = time.time()
            if not chunk:
                break
            if t_line is None:
                t_line = now
            buf += chunk
            while True:
                cut = buf.find(b"\n")
                if cut < 0:
                    break
                line, buf = buf[:cut], buf[cut + 1:]
                # A carriage return alone redraws the line: keep what was drawn last.
                text = line.decode("utf-8", "replace").rstrip("\r").split("\r")[-1]
                self._add(t_line, text)
                t_line = now if buf else None
        if buf:
            self._add(t_line or time.time(), buf.decode("utf-8", "replace"))
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def position(self):
        with self._cond:
            return len(self.lines)

    def find(self, pattern, start=0, end=None):
        """The first (index, time, text) at or after start whose text matches, or None."""
        rx = re.compile(pattern)
        with self._cond:
            for i in range(start, len(self.lines) if end is None else end):
                if rx.search(self.lines[i][1]):
                    return (i, self.lines[i][0], self.lines[i][1])
        return None

    def wait_for(self, pattern, start=0, timeout=60, fail=None):
        """Waits for a line matching pattern at or after index start; returns (index, time,
        text). Raises ConsoleTimeout, also at once when a line matching fail shows first or
        the console closes (QEMU exited)."""
        rx = re.compile(pattern)
        rx_fail = re.compile(fail) if fail else None
        deadline = time.time() + timeout
        i = start
        with self._cond:
            while True:
                while i < len(self.lines):
                    t, text = self.lines[i]
                    if rx.search(text):
                        return (i, t, text)
                    if rx_fail and rx_fail.search(text):
                        raise ConsoleTimeout("console shows %r before %r" % (text, pattern))
                    i += 1
                left = deadline - time.time()
                if self._closed:
                    raise ConsoleTimeout("QEMU exited before %r showed on the console" %
                                         pattern)
                if left <= 0:
                    raise ConsoleTimeout("%r did not show on the console in %d s" %
                                         (pattern, timeout))
                self._cond.wait(min(left, 1.0))

    def excerpt(self, start=0, end=None, last=40):
        """The last lines of [start, end) as text, for failure messages."""
        with self._cond:
            lines = self.lines[start:end]
        return "\n".join(text for _, text in lines[-last:])

    def close(self):
        self._log.close()


class Machine:
    """A QEMU process: q35, TCG single-threaded, one vCPU, virtio disks, no network, the
    serial console on its stdout, the guest agent's port on a unix socket. No display
    (graphics=off): SeaBIOS then writes to the serial port too, so both firmwares' banners
    are on the console."""

    def __init__(self, workdir, firmware="bios", mem=1024, disks=(), kernel=None, initrd=None,
                 append=None, no_reboot=False, agent=True, console_log=None, echo=False,
                 vars_file=None, t0=None):
        self.workdir = workdir
        self.firmware = firmware
        self.mem = mem
        self.disks = list(disks)      # (path, format, serial, cache)
        self.kernel, self.initrd, self.append = kernel, initrd, append
        self.no_reboot = no_reboot
        self.agent_socket = os.path.join(workdir, "qga.sock") if agent else None
        self.console_log = console_log or os.path.join(workdir, "console.log")
        self.vars_file = vars_file or os.path.join(workdir, "OVMF_VARS.fd")
        self.echo = echo
        self.t0 = t0 or time.time()
        self.proc = None
        self.console = None
        self._thread = None
        self._stderr = None

    def argv(self):
        a = ["qemu-system-x86_64", "-nodefaults", "-machine", "q35,graphics=off", "-accel",
             "tcg,thread=single", "-smp", "1", "-m", str(self.mem), "-display", "none",
             "-serial", "stdio", "-name", "vmtest"]
        if self.firmware == "ovmf":
            a += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                  "-drive", "if=pflash,format=raw,unit=1,file=" + self.vars_file]
        for n, (path, fmt, serial, cache) in enumerate(self.disks):
            a += ["-drive", "file=%s,if=none,id=disk%d,format=%s,cache=%s" %
                  (path, n, fmt, cache),
                  "-device", "virtio-blk-pci,drive=disk%d,serial=%s" % (n, serial)]
        if self.agent_socket:
            a += ["-device", "virtio-serial-pci",
                  "-chardev", "socket,id=qga0,path=%s,server=on,wait=off" % self.agent_socket,
                  "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0"]
        if self.kernel:
            a += ["-kernel", self.kernel]
            if self.initrd:
                a += ["-initrd", self.initrd]
            if self.append:
                a += ["-append", self.append]
        if self.no_reboot:
            a.append("-no-reboot")
        return a

    def start(self):
        if self.firmware == "ovmf" and not os.path.exists(self.vars_file):
            shutil.copyfile(OVMF_VARS, self.vars_file)
        if self.agent_socket and os.path.exists(self.agent_socket):
            os.unlink(self.agent_socket)
        self.console = Console(self.console_log, self.t0, self.echo)
        argv = self.argv()
        with open(os.path.join(self.workdir, "qemu.cmdline"), "a") as f:
            f.write(" ".join(argv) + "\n")
        self._stderr = open(os.path.join(self.workdir, "qemu.stderr"), "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, start_new_session=True)
        self._thread = threading.Thread(target=self.console.pump, args=(self.proc.stdout,),
                                        daemon=True)
        self._thread.start()
        # The agent's socket exists once QEMU listens on it.
        deadline = time.time() + 30
        while self.agent_socket and not os.path.exists(self.agent_socket):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("QEMU did not start (exit %s): see %s" %
                                   (self.proc.poll(), os.path.join(self.workdir,
                                                                   "qemu.stderr")))
            time.sleep(0.05)
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout):
        """Waits for QEMU to exit; returns its exit status, or None on timeout."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._thread.join(5)
        return rc

    def kill(self):
        if self.running():
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._thread:
            self._thread.join(5)

    def close(self):
        self.kill()
        if self.console:
            self.console.close()
        if self._stderr:
            self._stderr.close()


def make_overlay(base, path):
    """A qcow2 overlay over a cached image, so that the image itself stays as built."""
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                    os.path.abspath(base), path], check=True)
