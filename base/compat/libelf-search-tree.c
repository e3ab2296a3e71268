// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Link glue for static builds against elfutils 0.192's libelf.a (Debian trixie).
 *
 * elfutils 0.192 made libelf keep its trees through helpers of its internal libeu
 * (eu_search_tree_init/fini, eu_tsearch, eu_tfind, eu_tdelete), but its static libelf.a was
 * shipped without them (sourceware bug 32293, fixed in 0.193), so `make STATIC=1` fails to
 * link there. This archive is put after the libraries on the static link line only: the
 * linker pulls these definitions in when libelf.a asks for them and never otherwise (a
 * libelf.a that carries them, or a shared libelf, defines them first). They do what libeu
 * does without its optional locks, which Debian builds without: a tree is a struct whose
 * first member is the root of a tsearch(3) tree.
 */
#include <search.h>
#include <stddef.h>

struct kd_eu_tree {
	void *root;
};

typedef int (*kd_eu_cmp)(const void *, const void *);

void eu_search_tree_init(struct kd_eu_tree *tree);
void eu_search_tree_fini(struct kd_eu_tree *tree, void (*free_node)(void *));
void *eu_tsearch(const void *key, struct kd_eu_tree *tree, kd_eu_cmp cmp);
void *eu_tfind(const void *key, struct kd_eu_tree *tree, kd_eu_cmp cmp);
void *eu_tdelete(const void *key, struct kd_eu_tree *tree, kd_eu_cmp cmp);

void eu_search_tree_init(struct kd_eu_tree *tree)
{
	tree->root = NULL;
}

void eu_search_tree_fini(struct kd_eu_tree *tree, void (*free_node)(void *))
{
	tdestroy(tree->root, free_node);
	tree->root = NULL;
}

void *eu_tsearch(const void *key, struct kd_eu_tree *tree, kd_eu_cmp cmp)
{
	return tsearch(key, &tree->root, cmp);
}

void *eu_tfind(const void *key, struct kd_eu_tree *tree, kd_eu_cmp cmp)
{
	return tfind(key, &tree->root, cmp);
}

void *eu_tdelete(const void *key, struct kd_eu_tree *tree, kd_eu_cmp cmp)
{
	return tdelete(key, &tree->root, cmp);
}
