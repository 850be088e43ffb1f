/*
 * skb_watch.c - what the cgroup backend is attached to.
 *
 * The caller asks for cgroups (paths, ids, the inventory's pods); the
 * programs go to the topmost of them only: a cgroup's programs also run for
 * every cgroup below it, and the same program attached at two levels would
 * run twice for one segment. Whenever the wanted set changes, the attached
 * set is recomputed: new tops are attached first, tops no longer wanted are
 * detached after, and the connections of a cgroup that is no longer watched
 * at all end there (capture-ended): their END will never come. A cgroup
 * below a detached one that is itself wanted keeps its connections.
 *
 * A Kubernetes inventory lists container cgroups; the backend attaches to
 * the pod's cgroup above them instead, so a container that restarts (a new
 * cgroup) is covered from its first packet.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/capture_int.h"
#include "records/inventory.h"
#include "k8s/cgpath.h"
#include "util/array.h"
#include "util/kernfs.h"
#include "util/log.h"

/* Depth of the cgroup tree walked to find a cgroup by id or list a subtree. */
#define WALK_DEPTH 12

/* True when directory a is b or an ancestor of b. */
static bool covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

static int want_add(struct capture *c, const char *path, uint64_t id, bool from_inventory)
{
	struct skb_want *w;

	for (size_t i = 0; i < c->nwant; i++)
		if (!strcmp(c->want[i].path, path)) {
			c->want[i].from_inventory &= from_inventory;
			return 0;
		}
	if (array_reserve(&c->want, &c->capwant, c->nwant, sizeof(*c->want), 16))
		return -ENOMEM;
	w = &c->want[c->nwant];
	w->path = strdup(path);
	if (!w->path)
		return -ENOMEM;
	w->id = id;
	w->from_inventory = from_inventory;
	c->nwant++;
	return 0;
}

/* True when wanted cgroup i lies below (or duplicates) another one wanted. */
static bool want_is_covered(const struct capture *c, size_t i)
{
	for (size_t j = 0; j < c->nwant; j++)
		if (j != i && covers(c->want[j].path, c->want[i].path) &&
		    (strcmp(c->want[j].path, c->want[i].path) || j < i))
			return true;
	return false;
}

/* True when directory dir is a wanted cgroup or lies below one. */
static bool wanted(const struct capture *c, const char *dir)
{
	for (size_t i = 0; i < c->nwant; i++)
		if (covers(c->want[i].path, dir))
			return true;
	return false;
}

/*
 * Adds to ids[] (at most max) the id of dir and of every cgroup below it
 * that is not watched on its own; returns the new count. A wanted cgroup
 * below dir is skipped with its subtree: its own programs follow its
 * connections, which do not end.
 */
static size_t subtree_ids(const struct capture *c, const char *dir, uint64_t *ids, size_t n, size_t max,
			  int depth)
{
	uint64_t id;
	struct dirent *d;
	DIR *dh;

	if (wanted(c, dir))
		return n;
	id = cgroup_id_of(dir);
	if (id && n < max)
		ids[n++] = id;
	if (depth >= WALK_DEPTH || !(dh = opendir(dir)))
		return n;
	while ((d = readdir(dh)) && n < max) {
		char sub[PATH_MAX];

		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) < (int)sizeof(sub))
			n = subtree_ids(c, sub, ids, n, max, depth + 1);
	}
	closedir(dh);
	return n;
}

/*
 * Attachment `a` goes away: connections of its cgroups (the ones that
 * still exist, and its own; not those of a cgroup below it that is watched
 * on its own, attached a moment before) end now, since no END will come for them, and
 * the kernel's slots for them are freed (a socket closed once the programs
 * are gone would keep its slot for as long as the capture runs).
 */
static void end_conns_under(struct capture *c, const struct skb_attachment *a)
{
	enum { MAX_IDS = 4096 };
	uint64_t *ids = calloc(MAX_IDS, sizeof(*ids)), *conn_ids;
	struct ct_conn **victims;
	size_t n, nv = 0;
	int freed;

	if (!ids)
		return;
	n = subtree_ids(c, a->path, ids, 0, MAX_IDS, 0);
	/* Gone from the tree (its top is never wanted here): its own connections at least. */
	if (!n)
		ids[n++] = a->id;
	victims = calloc(c->conns.n + 1, sizeof(*victims));
	for (size_t b = 0; victims && b < c->conns.nbuckets; b++)
		for (struct ct_conn *k = c->conns.buckets[b]; k; k = k->next)
			for (size_t i = 0; i < n; i++)
				if (k->info.cgroup_id == ids[i]) {
					victims[nv++] = k;
					break;
				}
	/* The ids first: ending a connection frees it. */
	conn_ids = victims ? calloc(nv + 1, sizeof(*conn_ids)) : NULL;
	for (size_t i = 0; conn_ids && i < nv; i++)
		conn_ids[i] = victims[i]->info.id;
	for (size_t i = 0; i < nv; i++)
		capture_end_conn(c, victims[i], "capture-ended", NULL);
	if (conn_ids && nv) {
		freed = skb_loader_release_slots(c->sl, conn_ids, nv);
		if (freed < 0)
			pr_warn("capture: cannot free the kernel's slots of %zu connections of '%s': %s", nv, a->path,
				strerror(-freed));
		else
			pr_debug("capture: %d slots freed for %zu connections of %s", freed, nv, a->path);
	}
	free(conn_ids);
	free(victims);
	free(ids);
}

/* Brings the attached set in line with the wanted one: attach new tops, then detach the rest. */
static int sync_attached(struct capture *c)
{
	struct skb_loader *l = c->sl;
	int err = 0;

	for (size_t i = 0; i < c->nwant; i++) {
		bool have = false;

		if (want_is_covered(c, i))
			continue;
		for (size_t k = 0; k < l->natt && !have; k++)
			have = !strcmp(l->att[k].path, c->want[i].path);
		if (have)
			continue;
		err = skb_loader_attach(l, c->want[i].path, c->want[i].id);
		if (err) {
			error_errno(err, "capture: cannot attach the cgroup programs to '%s'", c->want[i].path);
			return err;
		}
		pr_debug("capture: cgroup programs attached to %s", c->want[i].path);
	}
	for (size_t k = l->natt; k-- > 0;) {
		bool keep = false;

		for (size_t i = 0; i < c->nwant && !keep; i++)
			keep = !strcmp(l->att[k].path, c->want[i].path) && !want_is_covered(c, i);
		if (keep)
			continue;
		/* Still below a wanted cgroup: the programs of that one take over, nothing ends. */
		if (!wanted(c, l->att[k].path))
			end_conns_under(c, &l->att[k]);
		pr_debug("capture: cgroup programs detached from %s", l->att[k].path);
		skb_loader_detach(l, k);
	}
	return err;
}

/* The canonical form of an existing cgroup directory (symlinks resolved, no trailing '/'). */
static int canonical(const char *path, char *out)
{
	struct stat st;

	if (!realpath(path, out))
		return -errno;
	if (stat(out, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int skb_watch_path(struct capture *c, const char *path)
{
	char canon[PATH_MAX];
	uint64_t id;
	int err = canonical(path, canon);

	if (err)
		return err;
	id = cgroup_id_of(canon);
	if (!id)
		return -errno ? -errno : -ENOENT;
	err = want_add(c, canon, id, false);
	return err ? err : sync_attached(c);
}

/* Finds the directory of cgroup `id` below dir; returns 0 with path filled, or -ENOENT. */
static int find_id(const char *dir, uint64_t id, char *path, int depth)
{
	struct dirent *d;
	int r = -ENOENT;
	DIR *dh;

	if (cgroup_id_of(dir) == id) {
		snprintf(path, PATH_MAX, "%s", dir);
		return 0;
	}
	if (depth >= WALK_DEPTH || !(dh = opendir(dir)))
		return -ENOENT;
	while (r && (d = readdir(dh))) {
		char sub[PATH_MAX];

		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) < (int)sizeof(sub))
			r = find_id(sub, id, path, depth + 1);
	}
	closedir(dh);
	return r;
}

int skb_watch_id(struct capture *c, uint64_t id)
{
	char path[PATH_MAX];
	int err = find_id(c->sl->cg2, id, path, 0);

	return err ? err : skb_watch_path(c, path);
}

/*
 * Where the programs go for one inventory entry: the pod's cgroup when the
 * entry is a Kubernetes container's cgroup, else the entry's own cgroup.
 * Returns 0 with out filled, or -errno.
 */
static int attach_point(const struct capture *c, const struct inv_pod *p, char *out)
{
	char path[PATH_MAX], *slash;
	struct cg_ref ref;
	int err;

	if (*p->cgroup_path)
		snprintf(path, sizeof(path), "%s", p->cgroup_path);
	else if (!p->cgroup_id || (err = find_id(c->sl->cg2, p->cgroup_id, path, 0)))
		return -ENOENT;
	if (!cgpath_parse(path, &ref) && ref.container_id[0] && (slash = strrchr(path, '/')) && slash != path)
		*slash = '\0';
	return canonical(path, out);
}

int skb_watch_inventory(struct capture *c)
{
	const struct inventory *inv = c->o.inv;
	size_t keep = 0;
	int n = 0, err = 0;

	/* The inventory's part of the wanted set is rebuilt; explicit watches stay. */
	for (size_t i = 0; i < c->nwant; i++) {
		if (c->want[i].from_inventory)
			free(c->want[i].path);
		else
			c->want[keep++] = c->want[i];
	}
	c->nwant = keep;
	for (size_t i = 0; inv && i < inv->npods && !err; i++) {
		const struct inv_pod *p = &inv->pods[i];
		char path[PATH_MAX];

		if (attach_point(c, p, path)) {
			pr_warn("capture: pod %s has no cgroup ('%s' not found): not watched", p->ref, p->cgroup_path);
			continue;
		}
		err = want_add(c, path, cgroup_id_of(path), true);
		n++;
	}
	if (!err)
		err = sync_attached(c);
	return err ? err : n;
}

const struct inv_pod *skb_pod_of_cgroup(struct capture *c, uint64_t id)
{
	const struct inventory *inv = c->o.inv;
	char path[PATH_MAX], point[PATH_MAX];
	const struct skb_attachment *a = NULL;

	if (!inv || !id)
		return NULL;
	for (size_t k = 0; k < c->sl->natt && !a; k++)
		if (!find_id(c->sl->att[k].path, id, path, 0))
			a = &c->sl->att[k];
	for (size_t i = 0; a && i < inv->npods; i++)
		if (!attach_point(c, &inv->pods[i], point) && !strcmp(point, a->path))
			return &inv->pods[i];
	return NULL;
}

static void on_listener(void *ctx, const struct smiw_listener *li)
{
	struct capture *c = ctx;
	struct skb_outside *o = &c->outside;

	for (size_t i = 0; i < o->n; i++)
		if (o->ino[i] == li->ino)
			return;
	if (array_reserve(&o->ino, &o->cap, o->n, sizeof(*o->ino), 16))
		return;
	o->ino[o->n++] = li->ino;
	pr_warn("capture: process %u (%.16s) of watched cgroup %llu listens on port %u with a socket created in "
		"cgroup %llu, which is not watched: the connections it accepts belong to that cgroup and are "
		"not captured (create the listener inside the pod's cgroup, or watch cgroup %llu too)",
		li->tgid, li->comm, (unsigned long long)li->task_cgroup, li->port,
		(unsigned long long)li->sock_cgroup, (unsigned long long)li->sock_cgroup);
}

void skb_scan_listeners(struct capture *c)
{
	int r = skb_loader_scan_listeners(c->sl, on_listener, c);

	if (r < 0)
		pr_debug("capture: listener scan failed: %s", strerror(-r));
}

void skb_watch_free(struct capture *c)
{
	for (size_t i = 0; i < c->nwant; i++)
		free(c->want[i].path);
	free(c->want);
	c->want = NULL;
	c->nwant = c->capwant = 0;
	free(c->outside.ino);
	c->outside = (struct skb_outside){ 0 };
}
