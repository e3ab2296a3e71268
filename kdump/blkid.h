/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transitional: what was here is in kdump/sys/sys.h; for the files not moved yet. */
#include "kdump/sys/sys.h"
