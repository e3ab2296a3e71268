/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Forwarding header: dump directories moved to kdump/dump/dump.h (until its users move). */
#include "kdump/dump/dump.h"
