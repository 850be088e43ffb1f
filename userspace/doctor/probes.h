/* probes.h - kernel capability probes behind `smi-witness doctor`. */
#ifndef SMIW_DOCTOR_PROBES_H
#define SMIW_DOCTOR_PROBES_H

#include <stdbool.h>

/* The outcome of one probe. `value` is the short fact (a path, a mode), `detail` the why. */
struct probe_result {
	const char *name;	/* stable identifier, e.g. "syscall_tracepoints" */
	const char *what;	/* human label */
	bool required;		/* capture cannot work without it */
	bool ok;
	char value[64];
	char detail[256];
};

/*
 * Runs every probe, in a fixed order, filling `out` (at most `max`).
 * Each probe really loads/attaches/triggers what it reports on.
 * Returns the number of results.
 */
int doctor_run_probes(struct probe_result *out, int max);

/* The smallest capability set capture attaches with (a measurement in child processes). */
void probe_capture_caps(struct probe_result *r);

/* What capture still needs once attached (measured with the set above). */
void probe_caps_after_attach(struct probe_result *r);

/* The same two measurements for the cgroup backend. */
void probe_cgroup_caps(struct probe_result *r);
void probe_cgroup_caps_after_attach(struct probe_result *r);

/* The cgroup backend (cgroup_skb + sockops) capturing one exchange in a private cgroup and netns. */
void probe_cgroup_capture(struct probe_result *r);

/* Which backend `--capture auto` takes on this node, and why. */
void probe_capture_backend(struct probe_result *r);

/* Called by the uprobe probe; exported so the probe can find it by symbol. */
void smiw_uprobe_target(void);

#endif
