/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Forwarding header: the dump directories moved to kdump/dump/dump.h (remove once no one
 * includes this). */
#include "kdump/dump/dump.h"
