# SPDX-License-Identifier: GPL-2.0-or-later
"""Disk images of installed Debian systems, built once per machine and cached.

debootstrap makes the tree in a directory; mke2fs -d turns it into an ext4 image without a
mount; an installer VM boots the tree's own kernel with that image as its root and runs
guest/install.sh, which partitions the target disk by layout, copies the tree and installs
GRUB. No loop device or mount on the host (debootstrap's own chroot aside).

Images live under CACHE/images/ as SUITE-FIRMWARE-LAYOUT-HASH.qcow2 (read-only; runs use a
qcow2 overlay), HASH being a digest of everything the builder puts in (the recipe below and
guest/install.sh), with a .json beside it (kernel release, build times) and the installer's
console log.
"""
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import time

from . import qemu

HERE = os.path.dirname(os.path.abspath(__file__))
INSTALL_SH = os.path.join(HERE, "guest", "install.sh")

SUITES = ("bookworm", "trixie")
FIRMWARES = ("bios", "ovmf")

# Bump when the way the tree is configured changes in a way the recipe does not show.
RECIPE_VERSION = 1

PACKAGES = [
    "systemd-sysv", "udev", "initramfs-tools", "zstd", "linux-image-amd64",
    "qemu-guest-agent",
    # The installer's tools (sfdisk, mkfs.vfat), kept on the system like any installed one.
    "fdisk", "dosfstools", "e2fsprogs",
    # kdump's package recommends it; having it keeps `apt-get install ./kdump_*.deb` offline.
    "openssh-client",
    "procps", "kmod", "less",
]
FIRMWARE_PACKAGES = {"bios": ["grub-pc"], "ovmf": ["grub-efi-amd64"]}

# Layouts: the packages each needs at boot and the size of the virtual disk. The partitioning
# itself is the shell function layout_NAME in guest/install.sh.
LAYOUTS = {
    "plain": {"packages": [], "disk_size": "8G"},
}

# /etc/default/grub: a serial console (the host reads ttyS0), no graphics, kernel messages
# shown (no "quiet": the console log is the evidence), a short menu.
GRUB_DEFAULTS = {
    "GRUB_TIMEOUT": "1",
    "GRUB_CMDLINE_LINUX_DEFAULT": '""',
    "GRUB_CMDLINE_LINUX": '"console=ttyS0,115200"',
    "GRUB_TERMINAL": "serial",
    "GRUB_SERIAL_COMMAND": '"serial --unit=0 --speed=115200"',
}

DISK_SERIAL = "vmtest-disk"


class BuildError(Exception):
    pass


def default_mirror():
    """The Debian archive this host's apt uses (the only one this machine may reach)."""
    env = os.environ.get("KD_DEBIAN_MIRROR")
    if env:
        return env
    uris = []
    for path in glob.glob("/etc/apt/sources.list.d/*.sources"):
        with open(path) as f:
            uris += re.findall(r"^URIs:\s*(\S+)", f.read(), re.M)
    if os.path.exists("/etc/apt/sources.list"):
        with open("/etc/apt/sources.list") as f:
            uris += re.findall(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", f.read(), re.M)
    for u in uris:
        if re.search(r"/debian/?$", u):
            return u
    return "http://deb.debian.org/debian"


def recipe(suite, firmware, layout, mirror):
    if suite not in SUITES:
        raise BuildError("unknown system %r (known: %s)" % (suite, ", ".join(SUITES)))
    if firmware not in FIRMWARES:
        raise BuildError("unknown firmware %r (known: %s)" % (firmware, ", ".join(FIRMWARES)))
    if layout not in LAYOUTS:
        raise BuildError("unknown layout %r (known: %s)" % (layout, ", ".join(LAYOUTS)))
    with open(INSTALL_SH, "rb") as f:
        install = f.read()
    return {
        "version": RECIPE_VERSION,
        "suite": suite,
        "firmware": firmware,
        "layout": layout,
        "mirror": mirror,
        "packages": PACKAGES + FIRMWARE_PACKAGES[firmware] + LAYOUTS[layout]["packages"],
        "disk_size": LAYOUTS[layout]["disk_size"],
        "grub": GRUB_DEFAULTS,
        "hostname": hostname(suite),
        "install_sh": hashlib.sha256(install).hexdigest(),
    }


def hostname(suite):
    return "vmtest-" + suite


def cache_dir():
    return os.path.join(os.environ.get("KD_CACHE", "/var/tmp/kdump-cache"), "images")


def image_key(r):
    digest = hashlib.sha256(json.dumps(r, sort_keys=True).encode()).hexdigest()
    return "%s-%s-%s-%s" % (r["suite"], r["firmware"], r["layout"], digest[:12])


def _run(argv, log, **kw):
    with open(log, "ab") as f:
        f.write(("$ %s\n" % " ".join(argv)).encode())
        f.flush()
        p = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT, **kw)
    if p.returncode != 0:
        with open(log, errors="replace") as f:
            tail = f.read().splitlines()[-15:]
        raise BuildError("%s failed (exit %d):\n  %s" % (argv[0], p.returncode,
                                                          "\n  ".join(tail)))


def _mounts_under(path):
    path = os.path.realpath(path) + "/"
    with open("/proc/mounts") as f:
        return [m for m in (line.split()[1] for line in f) if (m + "/").startswith(path)]


def _remove_tree(path):
    """rm -rf of a debootstrap target, refusing while anything is mounted inside it."""
    if not os.path.exists(path):
        return
    for m in sorted(_mounts_under(path), reverse=True):
        subprocess.run(["umount", "-l", m], check=False)
    if _mounts_under(path):
        raise BuildError("%s still has mounts inside: %s" % (path, _mounts_under(path)))
    shutil.rmtree(path)


def _configure_tree(tree, r, log):
    """The admin's choices that the installer does not make: host name, GRUB defaults,
    password-less root on the console."""
    with open(os.path.join(tree, "etc/hostname"), "w") as f:
        f.write(r["hostname"] + "\n")
    with open(os.path.join(tree, "etc/hosts"), "w") as f:
        f.write("127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost "
                "ip6-loopback\n" % r["hostname"])
    grub = os.path.join(tree, "etc/default/grub")
    with open(grub) as f:
        text = f.read()
    for k, v in r["grub"].items():
        line = "%s=%s" % (k, v)
        text, n = re.subn(r"^#?%s=.*$" % k, line, text, count=1, flags=re.M)
        if not n:
            text += line + "\n"
    with open(grub, "w") as f:
        f.write(text)
    _run(["chroot", tree, "passwd", "-d", "root"], log)
    dst = os.path.join(tree, "usr/local/lib/vmtest")
    os.makedirs(dst, exist_ok=True)
    shutil.copy(INSTALL_SH, os.path.join(dst, "install.sh"))
    os.chmod(os.path.join(dst, "install.sh"), 0o755)


def _kernel_of(tree):
    kernels = sorted(glob.glob(os.path.join(tree, "boot/vmlinuz-*")))
    if len(kernels) != 1:
        raise BuildError("expected one kernel in %s/boot, found %d" % (tree, len(kernels)))
    release = os.path.basename(kernels[0])[len("vmlinuz-"):]
    initrd = os.path.join(tree, "boot/initrd.img-" + release)
    if not os.path.exists(initrd):
        raise BuildError("the tree has no %s (initramfs-tools did not run)" % initrd)
    return release, kernels[0], initrd


def _du_mib(path):
    out = subprocess.run(["du", "-sxm", path], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def build(r, key, say, echo=False):
    """Builds the image for recipe r into the cache; returns its metadata."""
    top = cache_dir()
    work = os.path.join(top, key + ".build")
    _remove_tree(work)
    os.makedirs(work)
    log = os.path.join(work, "build.log")
    tree = os.path.join(work, "tree")
    meta = {"key": key, "recipe": r, "times": {}}
    t0 = time.time()

    say("debootstrap %s (%d packages asked) from %s" % (r["suite"], len(r["packages"]),
                                                        r["mirror"]))
    debs = os.path.join(top, "debs", r["suite"])
    os.makedirs(debs, exist_ok=True)
    _run(["debootstrap", "--variant=minbase", "--include=" + ",".join(r["packages"]),
          "--cache-dir=" + debs, r["suite"], tree, r["mirror"]], log,
         env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if _mounts_under(tree):
        raise BuildError("debootstrap left mounts in %s" % tree)
    _configure_tree(tree, r, log)
    release, vmlinuz, initrd = _kernel_of(tree)
    shutil.copy(vmlinuz, os.path.join(work, "vmlinuz"))
    shutil.copy(initrd, os.path.join(work, "initrd.img"))
    meta["times"]["debootstrap"] = round(time.time() - t0, 1)
    meta["kernel"] = release

    t1 = time.time()
    mib = _du_mib(tree)
    tree_img = os.path.join(work, "tree.ext4")
    _run(["mke2fs", "-q", "-t", "ext4", "-L", "vmtest-tree", "-d", tree, tree_img,
          "%dM" % (mib * 13 // 10 + 256)], log)
    meta["tree_mib"] = mib
    _remove_tree(tree)
    meta["times"]["tree_image"] = round(time.time() - t1, 1)

    t2 = time.time()
    disk = os.path.join(work, "disk.qcow2")
    _run(["qemu-img", "create", "-q", "-f", "qcow2", disk, r["disk_size"]], log)
    say("installer VM: %s, layout %s for %s (console: %s)" %
        (release, r["layout"], r["firmware"], os.path.join(work, "console.log")))
    m = qemu.Machine(work, firmware="bios", mem=1024, agent=False, no_reboot=True,
                     disks=[(disk, "qcow2", DISK_SERIAL, "unsafe"),
                            (tree_img, "raw", "vmtest-tree", "unsafe")],
                     kernel=os.path.join(work, "vmlinuz"),
                     initrd=os.path.join(work, "initrd.img"),
                     append="root=LABEL=vmtest-tree ro console=ttyS0,115200 panic=1 "
                            "init=/usr/local/lib/vmtest/install.sh vmtest.layout=%s "
                            "vmtest.firmware=%s vmtest.disk=%s" %
                            (r["layout"], r["firmware"], DISK_SERIAL),
                     echo=echo)
    try:
        m.start()
        rc = m.wait(1800)
        if rc is None:
            raise BuildError("the installer VM did not finish in 30 min")
        done = m.console.find(r"^vmtest-install: done$")
        if not done:
            raise BuildError("the installer VM failed:\n" + m.console.excerpt(last=25))
    finally:
        m.close()
    meta["times"]["installer_vm"] = round(time.time() - t2, 1)
    meta["times"]["total"] = round(time.time() - t0, 1)
    meta["built"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    final = os.path.join(top, key + ".qcow2")
    os.chmod(disk, 0o444)
    os.replace(disk, final)
    shutil.copy(os.path.join(work, "console.log"), os.path.join(top, key + ".console.log"))
    with open(os.path.join(top, key + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
    _remove_tree(work)
    return meta


def ensure(suite, firmware, layout, say, mirror=None, echo=False, rebuild=False):
    """The cached image for (suite, firmware, layout), built first when missing; returns
    (path of the qcow2 image, metadata, True when it was built now)."""
    r = recipe(suite, firmware, layout, mirror or default_mirror())
    key = image_key(r)
    top = cache_dir()
    os.makedirs(top, exist_ok=True)
    path = os.path.join(top, key + ".qcow2")
    with open(os.path.join(top, key + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if rebuild and os.path.exists(path):
            os.unlink(path)
        if os.path.exists(path):
            with open(os.path.join(top, key + ".json")) as f:
                return path, json.load(f), False
        meta = build(r, key, say, echo)
        return path, meta, True
