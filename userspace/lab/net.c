/* net.c - see net.h */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/net.h"
#include "lab/proc.h"
#include "lab/run.h"
#include "util/file.h"
#include "util/log.h"

#define MAX_ADDRS (TOPO_MAX_SERVICES + 1)

bool lab_netns_exists(const char *name)
{
	char path[sizeof(LAB_NETNS_DIR) + LAB_NETNS_MAX];
	struct stat st;

	if (path_fmt(path, sizeof(path), "%s/%s", LAB_NETNS_DIR, name))
		return false;
	return stat(path, &st) == 0;
}

int lab_netns_delete(const char *name)
{
	char *argv[] = { "ip", "netns", "delete", (char *)name, NULL };
	char out[512];
	int r;

	if (!lab_netns_exists(name))
		return 0;
	r = run_argv(argv, NULL, out, sizeof(out));
	if (r) {
		out[strcspn(out, "\n")] = '\0';
		return error("cannot delete network namespace '%s': %s", name, out);
	}
	return 0;
}

static int netns_add(const char *name)
{
	char *argv[] = { "ip", "netns", "add", (char *)name, NULL };
	char out[512];

	if (run_argv(argv, NULL, out, sizeof(out))) {
		out[strcspn(out, "\n")] = '\0';
		return error("cannot create network namespace '%s': %s", name, out);
	}
	return 0;
}

/* Runs `ip -j [-n NETNS] ARGS...` and parses its JSON; NULL when it fails. */
static json_t *ip_json(const char *netns, const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = { "ip", "-j", "-n", (char *)netns, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	static char out[65536];

	if (run_argv(argv, NULL, out, sizeof(out)))
		return NULL;
	return json_loads(out, 0, NULL);
}

/* True when link `dev` in `netns` is up (and enslaved to `master` when given). */
static bool link_ok(const char *netns, const char *dev, const char *master)
{
	json_t *j = ip_json(netns, "link", "show", "dev", dev), *l = json_array_get(j, 0);
	const char *m = json_string_value(json_object_get(l, "master"));
	bool ok = false;

	for (size_t i = 0; i < json_array_size(json_object_get(l, "flags")); i++)
		if (!strcmp(json_string_value(json_array_get(json_object_get(l, "flags"), i)) ?: "", "UP"))
			ok = true;
	if (master && (!m || strcmp(m, master)))
		ok = false;
	json_decref(j);
	return ok;
}

/* True when eth0 in `netns` carries exactly the IPv4 addresses in `want` ("a.b.c.d/n"). */
static bool addrs_ok(const char *netns, char want[][24], int n_want)
{
	json_t *j = ip_json(netns, "-4", "addr", "show", "eth0");
	json_t *info = json_object_get(json_array_get(j, 0), "addr_info");
	int matched = 0;
	bool ok = j && (int)json_array_size(info) == n_want;

	for (size_t i = 0; ok && i < json_array_size(info); i++) {
		json_t *a = json_array_get(info, i);
		char have[24];

		snprintf(have, sizeof(have), "%s/%lld", json_string_value(json_object_get(a, "local")) ?: "",
			 (long long)json_integer_value(json_object_get(a, "prefixlen")));
		for (int k = 0; k < n_want; k++)
			if (!strcmp(have, want[k]))
				matched++;
	}
	json_decref(j);
	return ok && matched == n_want;
}

int lab_net_router(const struct lab *lab)
{
	char ns[LAB_NETNS_MAX];

	lab_netns_name(lab, LAB_ROUTER, ns, sizeof(ns));
	if (lab_netns_exists(ns) && link_ok(ns, LAB_BRIDGE, NULL))
		return 0;
	if (lab_netns_delete(ns) || netns_add(ns))
		return -1;
	return run_ip_batch(ns,
			    "link set lo up\n"
			    "link add " LAB_BRIDGE " type bridge\n"
			    "link set " LAB_BRIDGE " addrgenmode none\n"
			    "link set " LAB_BRIDGE " up\n",
			    "cannot create the lab bridge");
}

/* The addresses eth0 of pod i must carry. Returns how many. */
static int pod_addrs(const struct topology *t, int i, char addrs[][24])
{
	char ip[16];
	int n = 0;

	snprintf(addrs[n++], 24, "%s/%d", topo_ip_str(t->pods[i].ip, ip), t->prefix);
	if (i == t->mesh)
		for (int s = 0; s < t->n_services; s++)
			snprintf(addrs[n++], 24, "%s/32", topo_ip_str(t->services[s].ip, ip));
	return n;
}

int lab_net_pod(const struct lab *lab, const struct topology *t, int i, bool *created)
{
	char ns[LAB_NETNS_MAX], router[LAB_NETNS_MAX], veth[16], addrs[MAX_ADDRS][24], what[160];
	char cmds[MAX_ADDRS * 64 + 256];
	int n = pod_addrs(t, i, addrs), len;

	*created = false;
	lab_netns_name(lab, t->pods[i].name, ns, sizeof(ns));
	lab_netns_name(lab, LAB_ROUTER, router, sizeof(router));
	/* veth names must fit IFNAMSIZ; the index names the pod's port on the bridge. */
	snprintf(veth, sizeof(veth), "v%d", i);
	if (lab_netns_exists(ns) && addrs_ok(ns, addrs, n) && link_ok(ns, "eth0", NULL) &&
	    link_ok(router, veth, LAB_BRIDGE))
		return 0;
	*created = true;
	snprintf(what, sizeof(what), "cannot set up the network of pod '%s'", t->pods[i].name);
	if (lab_netns_delete(ns) || netns_add(ns))
		return -1;
	/* A bridge port left from an earlier run: gone with its peer's namespace, or removed here. */
	{
		char *argv[] = { "ip", "-n", router, "link", "del", veth, NULL };

		run_argv(argv, NULL, NULL, 0);
	}
	snprintf(cmds, sizeof(cmds),
		 "link add %s type veth peer name eth0 netns %s\n"
		 "link set %s addrgenmode none\n"
		 "link set %s master " LAB_BRIDGE "\n"
		 "link set %s up\n", veth, ns, veth, veth, veth);
	if (run_ip_batch(router, cmds, what))
		return -1;
	len = snprintf(cmds, sizeof(cmds), "link set lo up\nlink set eth0 addrgenmode none\n");
	for (int k = 0; k < n; k++)
		len += snprintf(cmds + len, sizeof(cmds) - len, "addr add %s dev eth0\n", addrs[k]);
	snprintf(cmds + len, sizeof(cmds) - len, "link set eth0 up\n");
	return run_ip_batch(ns, cmds, what);
}

/* Runs in a child that entered the namespace: connect until it works or time runs out. */
static int try_connect(uint32_t ip, uint16_t port, int timeout_ms, const struct lab_proc *watch)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(ip) };
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

		if (fd < 0)
			return 1;
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return 0;
		if (watch && !proc_alive(watch->pid, watch->start_time))
			return 3;
		nanosleep(&tick, NULL);
	}
	return 2;
}

int lab_wait_tcp(const char *netns, uint32_t ip, uint16_t port, int timeout_ms, const struct lab_proc *watch)
{
	char path[sizeof(LAB_NETNS_DIR) + LAB_NETNS_MAX];
	int status;
	pid_t pid;

	if (path_fmt(path, sizeof(path), "%s/%s", LAB_NETNS_DIR, netns))
		return -ENAMETOOLONG;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || setns(fd, CLONE_NEWNET))
			_exit(1);
		_exit(try_connect(ip, port, timeout_ms, watch));
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 1)
		return -ENOTCONN;
	if (WEXITSTATUS(status) == 3)
		return -ESRCH;
	return WEXITSTATUS(status) ? -ETIMEDOUT : 0;
}
