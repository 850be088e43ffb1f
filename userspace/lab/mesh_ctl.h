/* mesh_ctl.h - running the reference mesh (HAProxy) in the lab's mesh pod. */
#ifndef SMIW_LAB_MESH_CTL_H
#define SMIW_LAB_MESH_CTL_H

#include <stdbool.h>
#include <sys/types.h>

#include "lab/lab.h"
#include "lab/state.h"
#include "lab/topology.h"
#include "mesh/policy.h"

#define LAB_HAPROXY_CFG "haproxy.cfg"
#define LAB_HAPROXY_SOCK "haproxy.sock"
#define LAB_MIRROR_LUA "mirror.lua"
#define LAB_LOG_DIR "logs"

/* What the current HAProxy worker says about itself (`show info`). */
struct mesh_info {
	unsigned generation;
	pid_t worker;
	unsigned long curr_conns, cum_req;
};

/* Asks the workers' stats socket. Returns 0, or -errno when HAProxy does not answer. */
int lab_mesh_info(const struct lab *lab, struct mesh_info *mi);

/*
 * Renders policy `p` as variant st->variant with generation st->generation
 * + 1, has `haproxy -c` check it, then installs it as <state_dir>/haproxy.cfg
 * and bumps st->generation. Nothing changes when the check fails. Returns
 * 0 or -1 after printing HAProxy's complaint.
 */
int lab_mesh_write_config(const struct lab *lab, struct lab_state *st, const struct mesh_policy *p);

/* True when the installed configuration is what policy `p` renders to for st now. */
bool lab_mesh_config_current(const struct lab *lab, const struct lab_state *st, const struct mesh_policy *p);

/*
 * Makes the running mesh match the installed configuration: starts HAProxy
 * (master-worker) in the mesh pod, or reloads it with SIGUSR2 so old
 * workers finish their connections; waits until every new connection gets
 * the new generation; starts or stops the metrics filter the variant needs.
 * Records pids in st. Returns 0 or -1 after printing.
 */
int lab_mesh_sync(const struct lab *lab, const struct topology *t, struct lab_state *st);

#endif
