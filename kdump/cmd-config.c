// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump config check / show: validate /etc/kdump.conf and print the effective configuration. */
#include "kdump/command.h"
#include "conf/conf.h"
#include "base/base.h"

#include <getopt.h>

static void help(void)
{
	printf("Usage: kdump config check [--config FILE] [--root DIR] [--json] [--quiet]\n"
	       "       kdump config show [--config FILE] [--root DIR] [--json]\n\n"
	       "Validate kdump.conf and print the effective configuration.\n\n"
	       "Options:\n"
	       "  -c, --config FILE  the file to read (default " CONF_DEFAULT_FILE ")\n"
	       "      --root DIR     read FILE below DIR\n"
	       "  -j, --json         one JSON object: file, valid, errors, warnings, config\n"
	       "  -q, --quiet        check only: the diagnostics, not the configuration\n"
	       "  -h, --help         this help\n\n"
	       "Exit status: 0 valid (warnings allowed), 1 invalid, unreadable or unsafe, 2 usage "
	       "error.\n"
	       "See kdump(8) and kdump.conf(5).\n");
}

static void json_words(struct kd_json *j, const char *key, char **w)
{
	if (!w) {
		kd_json_null(j, key);
		return;
	}
	kd_json_begin_array(j, key);
	for (size_t i = 0; w[i]; i++)
		kd_json_string(j, NULL, w[i]);
	kd_json_end_array(j);
}

static void json_diags(struct kd_json *j, const char *key, const struct conf_diags *d,
		       bool errors)
{
	kd_json_begin_array(j, key);
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].error != errors)
			continue;
		kd_json_begin_object(j, NULL);
		kd_json_u64(j, "line", d->v[i].line);
		kd_json_u64(j, "column", d->v[i].column);
		kd_json_string(j, "message", d->v[i].msg);
		kd_json_end_object(j);
	}
	kd_json_end_array(j);
}

static void json_config(struct kd_json *j, const struct conf *c)
{
	const struct conf_target *t = &c->target;
	_cleanup_free_ char *args = conf_collector_args(&c->collector);

	kd_json_begin_object(j, "config");
	kd_json_begin_object(j, "target");
	kd_json_string(j, "kind", conf_target_kind_name(t->kind));
	kd_json_string(j, "spec", t->spec);
	if (t->kind == CONF_TARGET_FS || t->kind == CONF_TARGET_RAW) {
		kd_json_string(j, "fstype", t->fstype);
		kd_json_string(j, "device_kind", conf_device_kind_name(t->device_kind));
		kd_json_string(j, "device", t->device);
	} else if (t->kind == CONF_TARGET_SSH) {
		kd_json_string(j, "user", t->user);
		kd_json_string(j, "host", t->host);
		kd_json_u64(j, "port", t->port ? t->port : 22);
	} else if (t->kind == CONF_TARGET_NFS) {
		kd_json_string(j, "server", t->host);
		kd_json_string(j, "export", t->export_path);
	}
	kd_json_bool(j, "remote", conf_target_is_remote(c));
	kd_json_end_object(j);
	kd_json_string(j, "path", c->path);
	kd_json_string(j, "sshkey", t->kind == CONF_TARGET_SSH ? c->sshkey : NULL);
	kd_json_begin_object(j, "core_collector");
	kd_json_string(j, "args", args);
	kd_json_u64(j, "dump_level", c->collector.dump_level);
	kd_json_string(j, "compress", conf_compress_name(c->collector.compress));
	kd_json_string(j, "format", c->collector.format == CONF_FORMAT_ELF ? "elf" : "kdump");
	kd_json_bool(j, "flattened", c->collector.flattened);
	kd_json_end_object(j);
	kd_json_string(j, "kdump_pre", c->kdump_pre);
	kd_json_string(j, "kdump_post", c->kdump_post);
	kd_json_string(j, "kdump_emergency", c->kdump_emergency);
	json_words(j, "extra_bins", c->extra_bins);
	json_words(j, "extra_modules", c->extra_modules);
	kd_json_string(j, "failure_action", conf_action_name(c->failure_action));
	kd_json_string(j, "final_action", conf_action_name(c->final_action));
	kd_json_bool(j, "force_rebuild", c->force_rebuild);
	kd_json_bool(j, "force_no_rebuild", c->force_no_rebuild);
	kd_json_bool(j, "auto_reset_crashkernel", c->auto_reset_crashkernel);
	if (c->keep)
		kd_json_u64(j, "keep", c->keep);
	else
		kd_json_null(j, "keep"); /* keep all */
	kd_json_string(j, "verify", conf_verify_name(c->verify));
	if (c->nfs_vers)
		kd_json_string(j, "nfs_vers", c->nfs_vers);
	json_words(j, "notify", c->notify);
	kd_json_string(j, "capture_cmdline_append", c->capture_cmdline_append);
	kd_json_string(j, "crashkernel", c->crashkernel);
	kd_json_end_object(j);
}

static int run_config(int argc, char **argv, bool show)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },	    { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },	    {}
	};
	const char *name = show ? "config show" : "config check";
	const char *file = CONF_DEFAULT_FILE, *root = NULL;
	struct conf_diags diags = { 0 };
	struct kd_err err = { 0 };
	struct conf *c = NULL;
	_cleanup_free_ char *full = NULL;
	bool json = false, quiet = false;
	int o, r;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:jqh", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			file = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error(name, "unknown option");
		}
	}
	if (optind < argc)
		return kd_usage_error(name, "unexpected argument \"%s\"", argv[optind]);
	if (quiet && show)
		return kd_usage_error(name, "--quiet is for 'config check'");
	if (!*file)
		return kd_usage_error(name, "--config needs a file name");

	full = kd_path_at(root, file);
	if (!full)
		return kd_fail(&(struct kd_err){ .code = -ENOMEM });
	r = conf_load(root, file, &c, &diags, &err);
	if (json) {
		struct kd_json j;

		kd_json_init(&j, stdout);
		kd_json_begin_object(&j, NULL);
		kd_json_string(&j, "file", full);
		kd_json_bool(&j, "valid", r >= 0);
		json_diags(&j, "errors", &diags, true);
		json_diags(&j, "warnings", &diags, false);
		if (diags.n_errors + diags.n_warnings > diags.n)
			kd_json_u64(&j, "not_shown", diags.n_errors + diags.n_warnings - diags.n);
		if (c)
			json_config(&j, c);
		else
			kd_json_null(&j, "config");
		kd_json_end_object(&j);
		kd_json_finish(&j);
	} else {
		for (size_t i = 0; i < diags.n; i++) {
			if (diags.v[i].error)
				kd_error("%s", diags.v[i].msg);
			else if (!show)
				kd_warn("%s", diags.v[i].msg);
		}
		if (diags.n_errors + diags.n_warnings > diags.n)
			kd_error("... and %zu more", diags.n_errors + diags.n_warnings - diags.n);
		if (r < 0 && !diags.n_errors)
			kd_fail(&err);
		if (c && !quiet) {
			_cleanup_free_ char *text = NULL;
			if (conf_render(c, &text) < 0) {
				kd_error("out of memory");
				r = -ENOMEM;
			} else {
				fputs(text, stdout);
			}
		}
		if (r < 0 && diags.n_errors)
			fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", full,
				diags.n_errors, diags.n_errors == 1 ? "" : "s", diags.n_warnings,
				diags.n_warnings == 1 ? "" : "s");
	}
	conf_destroy(c);
	conf_diags_deinit(&diags);
	return r < 0 ? KD_EXIT_FAIL : KD_EXIT_OK;
}

static int run_check(int argc, char **argv)
{
	return run_config(argc, argv, false);
}

static int run_show(int argc, char **argv)
{
	return run_config(argc, argv, true);
}

KD_COMMAND(config_check, .name = "config check",
	   .summary = "validate kdump.conf and print the effective configuration", .order = 600,
	   .run = run_check);
KD_COMMAND(config_show, .name = "config show", .summary = "print the effective configuration",
	   .order = 601, .run = run_show);
