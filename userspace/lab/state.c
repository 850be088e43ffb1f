/* state.c - see state.h */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/state.h"
#include "util/file.h"
#include "util/log.h"

int lab_write_file(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int fd;

	if (path_fmt(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()))
		return error("cannot write '%s': path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return error_errno(errno, "cannot write '%s'", tmp);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd)) {
		int err = errno;

		close(fd);
		unlink(tmp);
		return error_errno(err, "cannot write '%s'", tmp);
	}
	close(fd);
	if (rename(tmp, path)) {
		int err = errno;

		unlink(tmp);
		return error_errno(err, "cannot rename '%s' to '%s'", tmp, path);
	}
	return 0;
}

char *lab_read_file(const char *path, size_t *len)
{
	char *buf;
	int r = file_read_all(path, 16u << 20, &buf, len);

	if (r == -EFBIG)
		error("cannot read '%s': too large", path);
	else if (r)
		error_errno(-r, "cannot read '%s'", path);
	return r ? NULL : buf;
}

static json_t *proc_json(const struct lab_proc *p)
{
	return json_pack("{s:i, s:I}", "pid", (int)p->pid, "start_time", (json_int_t)p->start_time);
}

static void proc_from(json_t *o, struct lab_proc *p)
{
	p->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	p->start_time = (uint64_t)json_integer_value(json_object_get(o, "start_time"));
}

int lab_state_write(const struct lab *lab, const struct topology *t, const struct lab_state *st)
{
	json_t *pods = json_array(), *applied = json_array(), *doc;
	char netns[LAB_NETNS_MAX], cg[PATH_MAX];

	for (int i = 0; i < t->n_pods; i++) {
		json_t *p = proc_json(&st->pods[i]);

		lab_netns_name(lab, t->pods[i].name, netns, sizeof(netns));
		lab_cgroup_path(lab, &t->pods[i], cg, sizeof(cg));
		json_object_set_new(p, "namespace", json_string(t->pods[i].namespace));
		json_object_set_new(p, "name", json_string(t->pods[i].name));
		json_object_set_new(p, "netns", json_string(netns));
		json_object_set_new(p, "cgroup", json_string(cg));
		json_object_set_new(p, "fail_every", json_integer(st->fail_every[i]));
		json_array_append_new(pods, p);
	}
	for (int i = 0; i < st->n_applied; i++)
		json_array_append_new(applied, json_string(st->applied[i]));
	doc = json_pack("{s:i, s:s, s:s, s:{s:s, s:b, s:s, s:i, s:s, s:o}, s:b, s:o, s:o}", "version", 1,
			"lab", lab->name, "topology", st->topology_source, "mesh", "variant",
			mesh_variant_name(st->variant), "access_control", st->access_control,
			"protocol", st->h2 ? "h2" : "h1", "generation", (int)st->generation,
			"data_plane", st->data_plane, "filter",
			proc_json(&st->filter), "created_etc_netns", st->created_etc_netns, "pods", pods,
			"applied", applied);
	return lab_write_json(lab, LAB_STATE_FILE, doc);
}

int lab_write_json(const struct lab *lab, const char *file, json_t *doc)
{
	char path[PATH_MAX], *text = json_dumps(doc, JSON_INDENT(2));
	int r;

	json_decref(doc);
	if (!text)
		return error("out of memory");
	lab_state_file(lab, file, path, sizeof(path));
	r = lab_write_file(path, text, strlen(text));
	free(text);
	return r;
}

int lab_state_read(const struct lab *lab, struct lab_state *st)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *doc, *mesh, *pods, *applied;
	const char *variant;

	memset(st, 0, sizeof(*st));
	lab_state_file(lab, LAB_STATE_FILE, path, sizeof(path));
	if (access(path, F_OK))
		return 0;
	doc = json_load_file(path, 0, &jerr);
	if (!doc)
		return error("cannot read lab state '%s': line %d: %s", path, jerr.line, jerr.text);
	if (json_integer_value(json_object_get(doc, "version")) != 1) {
		json_decref(doc);
		return error("cannot read lab state '%s': unknown version", path);
	}
	snprintf(st->topology_source, sizeof(st->topology_source), "%s",
		 json_string_value(json_object_get(doc, "topology")) ?: "");
	mesh = json_object_get(doc, "mesh");
	variant = json_string_value(json_object_get(mesh, "variant"));
	if (!variant || mesh_variant_parse(variant, &st->variant))
		st->variant = MESH_REFERENCE;
	st->access_control = json_is_true(json_object_get(mesh, "access_control"));
	/* A state written before the setting existed is an HTTP/1.1 mesh. */
	st->h2 = !strcmp(json_string_value(json_object_get(mesh, "protocol")) ?: "h1", "h2");
	st->generation = (unsigned)json_integer_value(json_object_get(mesh, "generation"));
	snprintf(st->data_plane, sizeof(st->data_plane), "%s",
		 json_string_value(json_object_get(mesh, "data_plane")) ?: "");
	proc_from(json_object_get(mesh, "filter"), &st->filter);
	st->created_etc_netns = json_is_true(json_object_get(doc, "created_etc_netns"));
	pods = json_object_get(doc, "pods");
	for (size_t i = 0; i < json_array_size(pods) && i < TOPO_MAX_PODS; i++) {
		proc_from(json_array_get(pods, i), &st->pods[i]);
		st->fail_every[i] = (unsigned)json_integer_value(json_object_get(json_array_get(pods, i), "fail_every"));
	}
	applied = json_object_get(doc, "applied");
	for (size_t i = 0; i < json_array_size(applied) && i < LAB_MAX_POLICY_FILES; i++)
		snprintf(st->applied[st->n_applied++], PATH_MAX, "%s",
			 json_string_value(json_array_get(applied, i)) ?: "");
	json_decref(doc);
	return 1;
}
