/* flaky.c - see flaky.h */
#include "lab/flaky.h"
#include "lab/pod.h"
#include "lab/proc.h"
#include "util/clock.h"
#include "util/log.h"

int lab_flaky_pod(const struct topology *t)
{
	for (int s = 0; s < t->n_services; s++) {
		const struct topo_service *svc = &t->services[s];
		bool http = false;

		for (int k = 0; k < svc->n_ports; k++)
			http |= svc->ports[k].proto == TOPO_HTTP;
		if (http && svc->n_endpoints >= 2)
			return svc->endpoints[svc->n_endpoints - 1];
	}
	return -1;
}

unsigned lab_fail_every(const struct topology *t, enum mesh_variant v, int i)
{
	unsigned n = mesh_variant_fail_every(v);

	return n && i == lab_flaky_pod(t) ? n : 0;
}

int lab_flaky_sync(const struct lab *lab, const struct topology *t, struct lab_state *st)
{
	for (int i = 0; i < t->n_pods; i++) {
		struct lab_proc *p = &st->pods[i];
		unsigned want = lab_fail_every(t, st->variant, i);

		if (t->pods[i].is_mesh || st->fail_every[i] == want || !proc_alive(p->pid, p->start_time))
			continue;
		proc_kill(p->pid, p->start_time);
		for (int k = 0; k < 100 && proc_alive(p->pid, p->start_time); k++)
			sleep_ns(20000000ULL);
		if (proc_alive(p->pid, p->start_time))
			return error("pod %s: its workload (pid %d) does not stop", t->pods[i].name, (int)p->pid);
		if (lab_pod_start_workload(lab, t, i, want, p) || lab_pod_wait_ready(lab, t, i, p))
			return -1;
		st->fail_every[i] = want;
		pr_info("pod %s: workload restarted %s", t->pods[i].name,
			want ? "flaky (it answers 503 to part of its /echo requests)" : "without failures");
	}
	return 0;
}
