# SPDX-License-Identifier: GPL-2.0-or-later
"""Crash cycles of installed Debian systems in QEMU, driven from the host.

Modules: qemu (one QEMU process, its timestamped console), agent (qemu-guest-agent client),
image (cached disk images: debootstrap tree, installer VM, one function per layout), checks
(peer tools on a dump), results (steps, timings, result.json), cycle (the admin's cycle).
Shell only runs inside the guest (guest/).
"""
