/* mesh_ctl.c - see mesh_ctl.h */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lab/mesh_ctl.h"
#include "lab/net.h"
#include "lab/pod.h"
#include "lab/proc.h"
#include "lab/run.h"
#include "mesh/haproxy.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/log.h"

#define WAIT_MS 20000	/* for a new configuration to be served */
#define RESIGNAL_MS 4000	/* without it, after a reload signal: signal again */
#define TICK_MS 20

/* Sends `cmd` to unix socket `path` and reads the whole answer into buf. Returns 0 or -errno. */
static int ask_socket(const char *path, const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 1, 0 };
	size_t used = 0;
	ssize_t n;
	int fd, r = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || write(fd, cmd, strlen(cmd)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	while (used + 1 < len && (n = read(fd, buf + used, len - 1 - used)) > 0)
		used += (size_t)n;
	buf[used] = '\0';
	close(fd);
	return used ? 0 : -EIO;
}

static unsigned long info_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

int lab_mesh_info(const struct lab *lab, struct mesh_info *mi)
{
	char path[PATH_MAX], buf[8192];
	int r;

	memset(mi, 0, sizeof(*mi));
	lab_state_file(lab, LAB_HAPROXY_SOCK, path, sizeof(path));
	r = ask_socket(path, "show info\n", buf, sizeof(buf));
	if (r)
		return r;
	mi->generation = (unsigned)info_field(buf, "\ndescription: generation ");
	mi->worker = (pid_t)info_field(buf, "\nPid: ");
	mi->curr_conns = info_field(buf, "\nCurrConns: ");
	mi->cum_req = info_field(buf, "\nCumReq: ");
	return 0;
}

/* sock and lua: PATH_MAX bytes each, for the paths the options point to. */
static void render_opts(const struct lab *lab, const struct lab_state *st, unsigned generation, char *sock,
			char *lua, struct mesh_render_opts *o)
{
	lab_state_file(lab, LAB_HAPROXY_SOCK, sock, PATH_MAX);
	lab_state_file(lab, LAB_MIRROR_LUA, lua, PATH_MAX);
	*o = (struct mesh_render_opts){ .variant = st->variant, .generation = generation, .node = lab->name,
					.stats_socket = sock, .h2 = st->h2, .mirror_lua = lua };
}

bool lab_mesh_config_current(const struct lab *lab, const struct lab_state *st, const struct mesh_policy *p)
{
	char sock[PATH_MAX], lua[PATH_MAX], cfg[PATH_MAX], *want = NULL, *have = NULL;
	struct mesh_render_opts o;
	size_t want_len = 0, have_len = 0;
	bool same = false;
	FILE *f;

	render_opts(lab, st, st->generation, sock, lua, &o);
	lab_state_file(lab, LAB_HAPROXY_CFG, cfg, sizeof(cfg));
	f = open_memstream(&want, &want_len);
	if (!f)
		return false;
	if (mesh_render_haproxy(p, &o, f)) {
		fclose(f);
		free(want);
		return false;
	}
	fclose(f);
	f = fopen(cfg, "re");
	if (f) {
		have = malloc(want_len + 1);
		have_len = have ? fread(have, 1, want_len + 1, f) : 0;
		fclose(f);
		same = have && have_len == want_len && !memcmp(have, want, want_len);
	}
	free(want);
	free(have);
	return same;
}

int lab_mesh_write_config(const struct lab *lab, struct lab_state *st, const struct mesh_policy *p)
{
	char cfg[PATH_MAX], tmp[PATH_MAX], sock[PATH_MAX], lua[PATH_MAX], out[4096];
	char *argv[] = { "haproxy", "-c", "-q", "-f", tmp, NULL };
	struct mesh_render_opts o;
	FILE *f;
	int r;

	render_opts(lab, st, st->generation + 1, sock, lua, &o);
	lab_state_file(lab, LAB_HAPROXY_CFG, cfg, sizeof(cfg));
	if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return error("state directory '%s' is too long for a unix socket path", lab->state_dir);
	/* The script is the same text for every configuration: installed before any of them needs it. */
	if ((st->variant == MESH_MIRROR_TO_ZERO_WEIGHT || mesh_policy_has_mirrors(p)) &&
	    lab_write_file(lua, MESH_MIRROR_LUA, strlen(MESH_MIRROR_LUA)))
		return -1;
	if (path_fmt(tmp, sizeof(tmp), "%s.new", cfg))
		return error("path too long: '%s'", cfg);
	f = fopen(tmp, "we");
	if (!f)
		return error_errno(errno, "cannot write '%s'", tmp);
	r = mesh_render_haproxy(p, &o, f);
	if (fclose(f) && !r)
		r = error_errno(errno, "cannot write '%s'", tmp);
	if (r)
		return -1;
	r = run_argv(argv, NULL, out, sizeof(out));
	if (r) {
		out[strcspn(out, "\n")] = '\0';
		return error("haproxy rejects the rendered configuration '%s': %s", tmp, *out ? out : "no detail");
	}
	if (rename(tmp, cfg))
		return error_errno(errno, "cannot install '%s'", cfg);
	st->generation++;
	return 0;
}

/* Prints the last lines of the mesh's log (what HAProxy said about the reload), if any. */
static void log_tail(const struct lab *lab)
{
	char path[PATH_MAX], buf[2048], *line, *save;
	bool cut;
	FILE *f;
	size_t n;

	if (path_fmt(path, sizeof(path), "%s/%s/haproxy.log", lab->state_dir, LAB_LOG_DIR) || !(f = fopen(path, "r")))
		return;
	/* A log shorter than buf cannot be sought back that far: then it is read whole. */
	cut = !fseek(f, -(long)(sizeof(buf) - 1), SEEK_END);
	if (!cut)
		rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The first line of a cut read may be a line's end only: skipped. */
	line = cut ? strchr(buf, '\n') : buf;
	/* Each proxy's "stopped" line at a worker's exit says nothing about the reload. */
	for (line = line ? strtok_r(line, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
		if (!strstr(line, " stopped (cumulated conns"))
			pr_warn("haproxy.log: %s", line);
}

/*
 * Old workers keep accepting on the shared listeners until the master tells
 * them to stop, so one answer from the new generation is not enough: ask on
 * fresh connections until three in a row come from it. After a reload signal
 * (signalled), a master that shows no new generation for RESIGNAL_MS is
 * signalled again: a reload asked for while the master was still settling
 * its previous one has been seen not to happen at all, on a loaded machine.
 * The bound is wall-clock time, not a count of ticks, so a slow answer on the
 * stats socket does not stretch it.
 */
static int wait_generation(const struct lab *lab, const struct lab_state *st, const struct lab_proc *master,
			   bool signalled)
{
	uint64_t start = mono_ns(), resignal = start + RESIGNAL_MS * 1000000ULL;
	struct mesh_info mi;
	int streak = 0;

	while (mono_ns() - start < WAIT_MS * 1000000ULL) {
		if (!lab_mesh_info(lab, &mi) && mi.generation == st->generation) {
			if (++streak == 3)
				return 0;
			continue;
		}
		streak = 0;
		if (!proc_alive(master->pid, master->start_time))
			break;
		if (signalled && mono_ns() >= resignal) {
			pr_info("haproxy (pid %d) has not started serving generation %u after %d ms: asking it to "
				"reload again", (int)master->pid, st->generation, RESIGNAL_MS);
			kill(master->pid, SIGUSR2);
			resignal = mono_ns() + RESIGNAL_MS * 1000000ULL;
		}
		sleep_ns(TICK_MS * 1000000ULL);
	}
	log_tail(lab);
	return error("haproxy did not start serving configuration generation %u within %d s (its log: %s/%s/haproxy.log)",
		     st->generation, WAIT_MS / 1000, lab->state_dir, LAB_LOG_DIR);
}

/*
 * "HAProxy 2.6.12-1+deb12u4" from the first line `haproxy -v` prints
 * ("HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/"),
 * so that reports name the data plane they judged; "" when it says
 * something else.
 */
static void data_plane_version(char *haproxy, char *buf, size_t len)
{
	char *argv[] = { haproxy, "-v", NULL }, out[512];
	const char *prefix = "HAProxy version ";

	buf[0] = '\0';
	if (run_argv(argv, NULL, out, sizeof(out)) || strncmp(out, prefix, strlen(prefix)))
		return;
	snprintf(buf, len, "HAProxy %.*s", (int)strcspn(out + strlen(prefix), " \n"), out + strlen(prefix));
}

static int start_haproxy(const struct lab *lab, const struct topology *t, struct lab_state *st)
{
	char haproxy[PATH_MAX], cfg[PATH_MAX];
	char *argv[] = { haproxy, "-W", "-f", cfg, NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	if (lab_resolve_command("haproxy", haproxy, sizeof(haproxy)))
		return error("cannot find 'haproxy' in $PATH (Debian package haproxy)");
	data_plane_version(haproxy, st->data_plane, sizeof(st->data_plane));
	lab_state_file(lab, LAB_HAPROXY_CFG, cfg, sizeof(cfg));
	return lab_pod_start(lab, t, t->mesh, argv, envp, "haproxy", &st->pods[t->mesh]);
}

/* Kills a recorded process and waits (2 s at most) until it is gone. */
static void stop_proc(struct lab_proc *p)
{
	if (proc_kill(p->pid, p->start_time))
		for (int i = 0; i < 100 && proc_alive(p->pid, p->start_time); i++)
			sleep_ns(TICK_MS * 1000000ULL);
	memset(p, 0, sizeof(*p));
}

static int start_filter(const struct lab *lab, const struct topology *t, struct lab_state *st)
{
	const struct topo_pod *mesh = &t->pods[t->mesh];
	char self[PATH_MAX], listen[32], upstream[32], ip[16], netns[LAB_NETNS_MAX];
	char *argv[] = { self, "lab", "metrics-filter", "--mesh", (char *)mesh_variant_name(st->variant),
			 "--listen", listen, "--upstream", upstream, NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int r;

	if (path_fmt(self, sizeof(self), "%s/smi-witness", lab->exe_dir))
		return error("path too long: '%s'", lab->exe_dir);
	snprintf(listen, sizeof(listen), "%s:%u", topo_ip_str(mesh->ip, ip), t->metrics_port);
	snprintf(upstream, sizeof(upstream), "127.0.0.1:%u", t->metrics_port);
	if (lab_pod_start(lab, t, t->mesh, argv, envp, "metrics-filter", &st->filter))
		return -1;
	lab_netns_name(lab, mesh->name, netns, sizeof(netns));
	r = lab_wait_tcp(netns, mesh->ip, t->metrics_port, 5000, &st->filter);
	if (r)
		return error_errno(r, "the metrics filter does not listen on %s (see %s/%s/metrics-filter.log)",
				   listen, lab->state_dir, LAB_LOG_DIR);
	return 0;
}

int lab_mesh_sync(const struct lab *lab, const struct topology *t, struct lab_state *st)
{
	struct lab_proc *master = &st->pods[t->mesh];
	bool filter = mesh_variant_rewrites_metrics(st->variant), reload;

	/* The filter holds the public metrics port the reference exporter binds: free it first. */
	stop_proc(&st->filter);
	reload = proc_alive(master->pid, master->start_time);
	if (reload) {
		if (kill(master->pid, SIGUSR2))
			return error_errno(errno, "cannot signal haproxy (pid %d) to reload", (int)master->pid);
	} else if (start_haproxy(lab, t, st)) {
		return -1;
	}
	if (wait_generation(lab, st, master, reload))
		return -1;
	return filter ? start_filter(lab, t, st) : 0;
}
