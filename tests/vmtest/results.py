# SPDX-License-Identifier: GPL-2.0-or-later
"""Steps of a run, each checked and timed, written to OUT/result.json after every step."""
import json
import os
import time


class StepFailed(Exception):
    """A check of the current step failed; the message says which and shows the evidence."""


class Results:
    def __init__(self, out, **about):
        self.path = os.path.join(out, "result.json")
        self.t0 = time.time()
        self.data = {"ok": None, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                     "about": about, "steps": [], "phases": {}, "warnings": [],
                     "failure": None}
        self.write()

    def write(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1, sort_keys=False)
            f.write("\n")
        os.replace(tmp, self.path)

    def step(self, name, say):
        return _Step(self, name, say)

    def phase(self, name, seconds):
        """A figure of the cycle (boot to armed, panic to dump on disk...)."""
        self.data["phases"][name] = None if seconds is None else round(seconds, 2)
        self.write()

    def warn(self, msg):
        """Something of the product worth a look that does not fail the cycle."""
        self.data.setdefault("warnings", []).append(msg)
        self.write()
        print("vm-system: WARNING: %s" % msg, flush=True)

    def set(self, key, value):
        self.data[key] = value
        self.write()

    def finish(self, ok, failure=None):
        self.data["ok"] = ok
        self.data["failure"] = failure
        self.data["seconds"] = round(time.time() - self.t0, 1)
        self.write()


class _Step:
    """with results.step("name", say) as st: ... st.info["key"] = value; raise StepFailed."""

    def __init__(self, results, name, say):
        self.results, self.name, self.say = results, name, say
        self.info = {}

    def __enter__(self):
        self.t = time.time()
        self.say("%s ..." % self.name)
        return self

    def __exit__(self, etype, exc, tb):
        secs = round(time.time() - self.t, 2)
        entry = {"name": self.name, "ok": exc is None, "seconds": secs}
        entry.update(self.info)
        if exc is not None:
            entry["error"] = "%s" % exc if isinstance(exc, StepFailed) else \
                "%s: %s" % (etype.__name__, exc)
        self.results.data["steps"].append(entry)
        self.results.write()
        self.say("%s: %s (%.1f s)" % (self.name, "ok" if exc is None else "FAILED", secs))
        return False
