// SPDX-License-Identifier: GPL-2.0-or-later
/* The nfs target: the export mounted with the kernel NFS client, then the dump directory. */
#include "kdump/init/init.h"

#include <arpa/inet.h>
#include <sys/mount.h>
#include <sys/stat.h>

char *kd_nfs_options(const char *vers, const char *server, const char *clientaddr)
{
	const char *v = vers && *vers ? vers : "4.2";

	if (v[0] == '3')
		return kd_asprintf("vers=3,addr=%s,proto=tcp,mountproto=tcp,nolock,soft,"
				   "timeo=100,retrans=3", server);
	return kd_asprintf("vers=%s,addr=%s,clientaddr=%s,proto=tcp,soft,timeo=100,retrans=3", v,
			   server, clientaddr && *clientaddr ? clientaddr : "0.0.0.0");
}

int kd_nfs_mount(const char *server, const char *export_path, const char *vers,
		 const char *clientaddr, const char *dir, const char **ret_vers,
		 struct kd_err *err)
{
	struct in_addr a;
	_cleanup_free_ char *opts = NULL, *src = NULL;
	const char *type = "nfs4";

	if (inet_pton(AF_INET, server, &a) != 1)
		return kd_err_set(err, -EINVAL, "nfs server \"%s\" is not an IPv4 address (the "
				  "capture kernel has no resolver)", server);
	if (export_path[0] != '/')
		return kd_err_set(err, -EINVAL, "nfs export \"%s\" is not an absolute path",
				  export_path);
	static const char *const any[] = { "4.2", "4.1", "4.0", "3" };
	bool negotiate = !vers || !*vers; /* as mount.nfs: the newest version the server has */
	int e = 0;

	src = kd_asprintf("%s:%s", server, export_path);
	if (!src)
		return kd_err_set(err, -ENOMEM, "out of memory");
	mkdir(dir, 0755);
	for (size_t i = 0; i < (negotiate ? KD_ARRAY_SIZE(any) : 1); i++) {
		const char *v = negotiate ? any[i] : vers;
		free(opts);
		opts = kd_nfs_options(v, server, clientaddr);
		if (!opts)
			return kd_err_set(err, -ENOMEM, "out of memory");
		type = v[0] == '3' ? "nfs" : "nfs4";
		if (mount(src, dir, type, MS_NOSUID | MS_NODEV, opts) == 0) {
			if (ret_vers)
				*ret_vers = v;
			return 0;
		}
		e = -errno;
		if (e != -EPROTONOSUPPORT)
			break;
	}
	return kd_err_sys(err, e, "cannot mount %s (%s, %s) on %s", src, type, opts, dir);
}

int kd_init_target_nfs(const struct conf_init *c, const char *vmcore, struct kd_err *err)
{
	char client[48];
	const char *vers = NULL;
	int r;

	snprintf(client, sizeof(client), "%s", c->net_addr);
	client[strcspn(client, "/")] = '\0';
	r = kd_nfs_mount(c->nfs_server, c->nfs_export, c->nfs_vers, client, KD_INIT_TARGET_MNT,
			 &vers, err);
	if (r < 0)
		return r;
	kd_info("mounted %s:%s with NFS %s", c->nfs_server, c->nfs_export, vers);
	return kd_init_dump_dir(c, vmcore, KD_INIT_TARGET_MNT, c->device, true, err);
}
