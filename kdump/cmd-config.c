// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump config check / show: validate /etc/kdump.conf and print the effective configuration. */
#include "kdump/command.h"
#include "conf/conf.h"

#include <getopt.h>

static void help(const char *name)
{
	printf("NAME\n"
	       "    kdump %s - validate kdump.conf and print the effective configuration\n\n"
	       "SYNOPSIS\n"
	       "    kdump config check [--config FILE] [--root DIR] [--json] [--quiet]\n"
	       "    kdump config show [--config FILE] [--root DIR] [--json]\n\n"
	       "DESCRIPTION\n"
	       "    Reads the configuration (default " CONF_DEFAULT_FILE ") exactly as 'kdump start'\n"
	       "    and the capture initramfs do, and reports every error and warning with its\n"
	       "    file, line and column, like a compiler:\n\n"
	       "        kdump: error: /etc/kdump.conf:12:1: unknown directive \"pth\" (did you mean \"path\"?)\n\n"
	       "    Unknown directives, bad values, duplicates and conflicting directives (two dump\n"
	       "    targets, force_rebuild with force_no_rebuild, ...) are errors; nothing is ignored\n"
	       "    silently. makedumpfile's spelling of core_collector is translated into the options\n"
	       "    of 'kdump capture'. The file is refused if a user other than root (or you) could\n"
	       "    change it: group- or world-writable, or in such a directory.\n\n"
	       "    'config check' prints the diagnostics on standard error and, when the file is\n"
	       "    valid, the effective configuration (every default resolved) on standard output.\n"
	       "    'config show' prints only the effective configuration (and errors, if any).\n"
	       "    See kdump.conf(5) for the directives.\n\n"
	       "OPTIONS\n"
	       "    -c, --config FILE  the file to read (default " CONF_DEFAULT_FILE ")\n"
	       "        --root DIR     read FILE below DIR (a system image or a test tree)\n"
	       "    -j, --json         print one JSON object: file, valid, errors, warnings, config\n"
	       "    -q, --quiet        check only: print diagnostics, not the configuration\n"
	       "    -h, --help         show this help\n\n"
	       "EXIT STATUS\n"
	       "    0  the configuration is valid (warnings allowed)\n"
	       "    1  it is invalid, or the file cannot be read or is unsafe\n"
	       "    2  bad command line\n\n"
	       "EXAMPLES\n"
	       "    kdump config check\n"
	       "    kdump config check --config ./kdump.conf --quiet\n"
	       "    kdump config show --json | jq .config.target\n",
	       name);
}

/* JSON string (or null) on f. */
static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void json_words(FILE *f, char **w)
{
	fputc('[', f);
	for (size_t i = 0; w && w[i]; i++) {
		if (i)
			fputs(", ", f);
		json_str(f, w[i]);
	}
	fputc(']', f);
}

static void json_diags(FILE *f, const struct conf_diags *d, bool errors)
{
	bool first = true;

	fputc('[', f);
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].error != errors)
			continue;
		fprintf(f, "%s{\"line\": %u, \"column\": %u, \"message\": ", first ? "" : ", ",
			d->v[i].line, d->v[i].column);
		json_str(f, d->v[i].msg);
		fputc('}', f);
		first = false;
	}
	fputc(']', f);
}

static void json_config(FILE *f, const struct conf *c)
{
	const struct conf_target *t = &c->target;
	_cleanup_free_ char *args = conf_collector_args(&c->collector);

	fputs("{\"target\": {\"kind\": ", f);
	json_str(f, conf_target_kind_name(t->kind));
	fputs(", \"spec\": ", f);
	json_str(f, t->spec);
	if (t->kind == CONF_TARGET_FS || t->kind == CONF_TARGET_RAW) {
		fputs(", \"fstype\": ", f);
		json_str(f, t->fstype);
		fputs(", \"device_kind\": ", f);
		json_str(f, conf_device_kind_name(t->device_kind));
		fputs(", \"device\": ", f);
		json_str(f, t->device);
	} else if (t->kind == CONF_TARGET_SSH) {
		fputs(", \"user\": ", f);
		json_str(f, t->user);
		fputs(", \"host\": ", f);
		json_str(f, t->host);
		fprintf(f, ", \"port\": %u", t->port ? t->port : 22);
	} else if (t->kind == CONF_TARGET_NFS) {
		fputs(", \"server\": ", f);
		json_str(f, t->host);
		fputs(", \"export\": ", f);
		json_str(f, t->export_path);
	}
	fprintf(f, ", \"remote\": %s}", conf_target_is_remote(c) ? "true" : "false");
	fputs(", \"path\": ", f);
	json_str(f, c->path);
	fputs(", \"sshkey\": ", f);
	json_str(f, t->kind == CONF_TARGET_SSH ? c->sshkey : NULL);
	fputs(", \"core_collector\": {\"args\": ", f);
	json_str(f, args);
	fprintf(f, ", \"dump_level\": %u, \"compress\": ", c->collector.dump_level);
	json_str(f, conf_compress_name(c->collector.compress));
	fprintf(f, ", \"format\": \"%s\", \"flattened\": %s}",
		c->collector.format == CONF_FORMAT_ELF ? "elf" : "kdump",
		c->collector.flattened ? "true" : "false");
	fputs(", \"kdump_pre\": ", f);
	json_str(f, c->kdump_pre);
	fputs(", \"kdump_post\": ", f);
	json_str(f, c->kdump_post);
	fputs(", \"kdump_emergency\": ", f);
	json_str(f, c->kdump_emergency);
	fputs(", \"extra_bins\": ", f);
	json_words(f, c->extra_bins);
	fputs(", \"extra_modules\": ", f);
	json_words(f, c->extra_modules);
	fputs(", \"failure_action\": ", f);
	json_str(f, conf_action_name(c->failure_action));
	fputs(", \"final_action\": ", f);
	json_str(f, conf_action_name(c->final_action));
	fprintf(f, ", \"force_rebuild\": %s, \"force_no_rebuild\": %s",
		c->force_rebuild ? "true" : "false", c->force_no_rebuild ? "true" : "false");
	fprintf(f, ", \"auto_reset_crashkernel\": %s",
		c->auto_reset_crashkernel ? "true" : "false");
	if (c->keep)
		fprintf(f, ", \"keep\": %u", c->keep);
	else
		fputs(", \"keep\": null", f);
	fputs(", \"verify\": ", f);
	json_str(f, conf_verify_name(c->verify));
	fputs(", \"notify\": ", f);
	if (c->notify)
		json_words(f, c->notify);
	else
		fputs("null", f);
	fputs(", \"capture_cmdline_append\": ", f);
	json_str(f, c->capture_cmdline_append);
	fputs(", \"crashkernel\": ", f);
	json_str(f, c->crashkernel);
	fputc('}', f);
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
			help(name);
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
		printf("{\"file\": ");
		json_str(stdout, full);
		printf(", \"valid\": %s, \"errors\": ", r >= 0 ? "true" : "false");
		json_diags(stdout, &diags, true);
		printf(", \"warnings\": ");
		json_diags(stdout, &diags, false);
		if (diags.n_errors + diags.n_warnings > diags.n)
			printf(", \"not_shown\": %zu", diags.n_errors + diags.n_warnings - diags.n);
		printf(", \"config\": ");
		if (c)
			json_config(stdout, c);
		else
			printf("null");
		printf("}\n");
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
