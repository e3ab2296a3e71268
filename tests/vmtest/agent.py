# SPDX-License-Identifier: GPL-2.0-or-later
"""A client of qemu-guest-agent (QGA) over the unix socket of its virtio-serial port.

The guest's agent is Debian's qemu-guest-agent package. The port outlives guest reboots: every
conversation starts with guest-sync-delimited and a fresh id, so that replies meant for an
earlier, interrupted conversation are skipped.
"""
import base64
import json
import os
import random
import socket
import time


class AgentError(Exception):
    """The agent answered with an error, or did not answer."""


class Agent:
    def __init__(self, path):
        self.path = path
        self.sock = None
        self.buf = b""

    def _connect(self):
        if self.sock is None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(self.path)
            self.sock = s
            self.buf = b""

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def _send(self, obj, delimit=False):
        data = json.dumps(obj).encode()
        self.sock.sendall((b"\xff" if delimit else b"") + data + b"\n")

    def _recv(self, deadline):
        """The next JSON object from the agent (raises AgentError past the deadline)."""
        dec = json.JSONDecoder()
        while True:
            # latin-1 keeps one character per byte, so that the end offset is a byte offset.
            text = self.buf.lstrip(b" \r\n\t").decode("latin-1")
            if text:
                try:
                    obj, end = dec.raw_decode(text)
                    self.buf = text[end:].encode("latin-1")
                    return obj
                except ValueError:
                    pass
            left = deadline - time.time()
            if left <= 0:
                raise AgentError("no answer from the guest agent")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                raise AgentError("no answer from the guest agent") from None
            if not chunk:
                self.close()
                raise AgentError("the guest agent's socket closed")
            self.buf += chunk

    def sync(self, timeout=5):
        """Starts a conversation: true when the agent answered within timeout."""
        self._connect()
        ident = random.randrange(1, 1 << 31)
        self._send({"execute": "guest-sync-delimited", "arguments": {"id": ident}},
                   delimit=True)
        deadline = time.time() + timeout
        while True:
            cut = self.buf.find(b"\xff")
            if cut >= 0:
                self.buf = self.buf[cut + 1:]
                try:
                    obj = self._recv(deadline)
                except AgentError:
                    return False
                if obj.get("return") == ident:
                    return True
                continue
            left = deadline - time.time()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                return False
            if not chunk:
                self.close()
                return False
            self.buf += chunk

    def wait_up(self, timeout):
        """Waits until the agent answers; returns the seconds waited (AgentError if never)."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            try:
                if self.sync(timeout=min(3, max(0.5, timeout - (time.time() - t0)))):
                    return time.time() - t0
            except OSError:
                self.close()
                time.sleep(0.5)
        raise AgentError("the guest agent did not answer in %d s" % timeout)

    def call(self, command, arguments=None, timeout=30):
        """Runs one agent command after a sync; returns its "return" value."""
        if not self.sync(timeout=min(timeout, 10)):
            raise AgentError("the guest agent does not answer (before %s)" % command)
        msg = {"execute": command}
        if arguments is not None:
            msg["arguments"] = arguments
        self._send(msg)
        obj = self._recv(time.time() + timeout)
        if "error" in obj:
            raise AgentError("%s: %s" % (command, obj["error"].get("desc", obj["error"])))
        return obj.get("return")

    def spawn(self, argv, stdin=None, env=None):
        """Starts a process in the guest; returns its agent pid (guest-exec)."""
        args = {"path": argv[0], "arg": list(argv[1:]), "capture-output": True}
        if stdin is not None:
            args["input-data"] = base64.b64encode(stdin).decode()
        if env:
            args["env"] = ["%s=%s" % kv for kv in env.items()]
        return self.call("guest-exec", args)["pid"]

    def status(self, pid):
        return self.call("guest-exec-status", {"pid": pid})

    def run(self, argv, timeout=120, stdin=None, env=None):
        """Runs a process in the guest to its end; returns (exit status, stdout, stderr) as
        text. A process killed by a signal gives 128 + the signal."""
        pid = self.spawn(argv, stdin, env)
        deadline = time.time() + timeout
        delay = 0.05
        while True:
            st = self.status(pid)
            if st.get("exited"):
                out = base64.b64decode(st.get("out-data", "")).decode("utf-8", "replace")
                err = base64.b64decode(st.get("err-data", "")).decode("utf-8", "replace")
                rc = st.get("exitcode")
                if rc is None:
                    rc = 128 + st.get("signal", 0)
                return rc, out, err
            if time.time() > deadline:
                raise AgentError("%s did not finish in %d s" % (" ".join(argv), timeout))
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def sh(self, script, timeout=120, env=None):
        """Runs a shell script in the guest (/bin/sh -c)."""
        return self.run(["/bin/sh", "-c", script], timeout=timeout, env=env)

    def read_file(self, path, chunk=4 << 20, timeout=60):
        h = self.call("guest-file-open", {"path": path, "mode": "r"})
        data = []
        try:
            while True:
                r = self.call("guest-file-read", {"handle": h, "count": chunk},
                              timeout=timeout)
                data.append(base64.b64decode(r.get("buf-b64", "")))
                if r.get("eof") or not r.get("count"):
                    break
        finally:
            self.call("guest-file-close", {"handle": h})
        return b"".join(data)

    def copy_out(self, path, dest, chunk=4 << 20, timeout=60):
        """Copies a guest file to a host file; returns its size."""
        h = self.call("guest-file-open", {"path": path, "mode": "r"})
        size = 0
        try:
            with open(dest, "wb") as f:
                while True:
                    r = self.call("guest-file-read", {"handle": h, "count": chunk},
                                  timeout=timeout)
                    b = base64.b64decode(r.get("buf-b64", ""))
                    f.write(b)
                    size += len(b)
                    if r.get("eof") or not r.get("count"):
                        break
        finally:
            self.call("guest-file-close", {"handle": h})
        return size

    def write_file(self, path, data, chunk=1 << 20):
        h = self.call("guest-file-open", {"path": path, "mode": "w"})
        try:
            for off in range(0, len(data), chunk):
                piece = data[off:off + chunk]
                r = self.call("guest-file-write",
                              {"handle": h, "buf-b64": base64.b64encode(piece).decode()})
                if r.get("count") != len(piece):
                    raise AgentError("short write to %s in the guest" % path)
        finally:
            self.call("guest-file-close", {"handle": h})

    def copy_in(self, src, path):
        with open(src, "rb") as f:
            self.write_file(path, f.read())
        return os.path.getsize(src)
