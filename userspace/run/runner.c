/* runner.c - see runner.h */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "records/intent_write.h"
#include "records/inventory.h"
#include "records/obs.h"
#include "report/outdir.h"
#include "run/runner.h"
#include "run/target.h"
#include "run/traffic.h"
#include "util/clock.h"
#include "util/exitcode.h"
#include "util/file.h"
#include "util/log.h"
#include "verify/checks.h"
#include "verify/converge.h"
#include "verify/engine.h"
#include "verify/expect.h"
#include "scenario/policy.h"
#include "scenario/reqid.h"
#include "verify/scrapes.h"

#define MAX_INTENT_PARTS 4096
#define PROBE_SEEN_WAIT_NS 1000000000ULL	/* how long a probe's records may take to arrive */
#define SETTLE_NS 300000000ULL			/* after the last request, before capture stops */
#define CONVERGE_NOTE_NS 5000000000ULL		/* how often a long convergence wait says it still waits */

/* One scenario being run. */
struct srun {
	struct runner *rn;
	const struct scenario *sc;	/* loaded and checked before the run began */
	const struct policy *pol;
	struct target *t;
	struct inventory *inv;
	bool observing;	/* the target's capture runs */
	char dir[PATH_MAX], run[REQID_RUN_MAX + 1];
	char inv_path[PATH_MAX], obs_path[PATH_MAX], intent_path[PATH_MAX];
	char target_log[PATH_MAX], drive_log[PATH_MAX];
	char metrics_dir[PATH_MAX];	/* the mesh's metrics scrapes of metrics steps */
	bool has_metrics;
	char *parts[MAX_INTENT_PARTS];	/* the driver's intent files, in order */
	size_t n_parts;
};

/* A run id nobody else has: "r" and 8 random hex digits. */
static void new_run_id(char *buf, size_t len)
{
	unsigned char b[4] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, b, sizeof(b)) != sizeof(b)) {
		uint64_t x = mono_ns() ^ (uint64_t)getpid();

		memcpy(b, &x, sizeof(b));
	}
	if (fd >= 0)
		close(fd);
	snprintf(buf, len, "r%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
}

/* --- the target ---------------------------------------------------------------- */

static int prepare(struct srun *s)
{
	return s->t->ops->prepare(s->t, &(struct target_scenario){ .access_control = s->sc->access_control,
		.log = s->target_log, .inventory = s->inv_path }, &s->inv);
}

/*
 * Applies the objects in force after step i, rendered in the asked API
 * versions. Returns 0, 1 when those versions cannot express them (why says
 * so; the step is skipped, as the verifier will also find), or -1.
 */
static int apply_policy(struct srun *s, size_t i, char *why, size_t len)
{
	const struct smi_set *set = s->pol->sets[i];
	int zero[SMI_GROUP_COUNT] = { 0 };
	char path[PATH_MAX], err[200] = "";
	FILE *f;
	int r, routes;

	if (path_fmt(path, sizeof(path), "%s/policy", s->dir) || mkdir_p(path)) {
		error_errno(errno, "cannot create '%s'", path);
		return -1;
	}
	f = path_fmt(path, sizeof(path), "%s/policy/step-%u.yaml", s->dir, s->sc->steps[i].index) ? NULL :
		fopen(path, "w");
	if (!f) {
		error_errno(errno, "cannot write '%s'", path);
		return -1;
	}
	r = smi_render_set(set, s->rn->api ? s->rn->api : zero, f, err, sizeof(err));
	routes = r ? 0 : policy_write_routes(s->sc, s->sc->steps[i].index, s->rn->gw_api, f);
	fclose(f);
	if (routes < 0) {
		error_errno(EIO, "cannot write '%s'", path);
		return -1;
	}
	if (r == -ENOTSUP) {
		snprintf(why, len, "%s", err);
		return 1;
	}
	if (r) {
		error("cannot render the policy of step %u: %s", s->sc->steps[i].index, err);
		return -1;
	}
	return s->t->ops->apply(s->t, set->n_objects || routes ? path : NULL);
}

/* --- traffic ----------------------------------------------------------------- */

/* How an entry's requests travel, for the progress line. */
static const char *via_label(enum traffic_proto protocol, int via)
{
	if (protocol == TRAFFIC_GRPC)
		return ", gRPC";
	if (protocol == TRAFFIC_H2)
		return ", HTTP/2";
	return via == SC_VIA_CALL ? ", via /call" : "";
}

/* What entry t's requests are sent as: its own protocol, else the run's. */
static enum traffic_proto entry_protocol(const struct srun *s, const struct sc_traffic *t)
{
	switch (t->protocol) {
	case SC_PROTO_H1:
		return TRAFFIC_H1;
	case SC_PROTO_H2:
		return TRAFFIC_H2;
	case SC_PROTO_GRPC:
		return TRAFFIC_GRPC;
	default:
		return s->rn->protocol;
	}
}

/* `address: pod`: the address of the one pod behind t's Service, or NULL after saying why. */
static const char *pod_address(const struct srun *s, const struct sc_traffic *t)
{
	const struct inv_service *svc = inventory_service(s->inv, t->to_ns, t->to);
	const struct inv_pod *pod = NULL;

	if (svc && svc->nendpoints == 1)
		for (size_t i = 0; i < s->inv->npods; i++)
			if (!strcmp(s->inv->pods[i].ref, svc->endpoints[0]))
				pod = &s->inv->pods[i];
	if (!pod || !*pod->ip) {
		error("%s: traffic %s: address: pod needs service %s/%s to have exactly one pod with an address "
		      "(it has %zu)", s->sc->name, t->name, t->to_ns, t->to, svc ? svc->nendpoints : 0);
		return NULL;
	}
	return pod->ip;
}

/* A driver run of entry t, with an intent file of its own (kept in s->parts). Returns 0 or -1. */
static int job(struct srun *s, const struct sc_traffic *t, const char *run_id, uint64_t count,
	       uint64_t duration_ns, unsigned concurrency, struct traffic_job *j)
{
	char part[PATH_MAX];

	if (s->n_parts == MAX_INTENT_PARTS) {
		error("too many driver runs in one scenario (%d)", MAX_INTENT_PARTS);
		return -1;
	}
	if (path_fmt(part, sizeof(part), "%s/intents/%s-%zu.jsonl", s->dir, s->run, s->n_parts))
		return -1;
	s->parts[s->n_parts] = strdup(part);
	if (!s->parts[s->n_parts])
		return -1;
	*j = (struct traffic_job){ .t = t, .run_id = run_id, .count = count, .duration_ns = duration_ns,
		.concurrency = concurrency, .intent_path = s->parts[s->n_parts], .log_path = s->drive_log,
		.protocol = entry_protocol(s, t) };
	if (t->address == SC_ADDR_POD && !(j->pod_addr = pod_address(s, t)))
		return -1;
	s->n_parts++;
	return 0;
}

static int drive_once(struct srun *s, const struct sc_traffic *t, const char *run_id, uint64_t count,
		uint64_t duration_ns, unsigned concurrency)
{
	struct traffic_job j;

	return job(s, t, run_id, count, duration_ns, concurrency, &j) ? -1 : traffic_send(s->t, &j);
}

/* The Gateway API routes in force beside the SMI set of a step. */
static const struct gw_set *routes_of(const struct srun *s, const struct smi_set *set)
{
	for (size_t i = 0; i < s->pol->n; i++)
		if (s->pol->sets[i] == set)
			return s->pol->routes[i];
	return NULL;
}

/*
 * Judges the recorded probes of each entry with the verifier's own rules
 * (converge.h). *seen tells whether every entry probed in `round` has its
 * client-side records in already.
 */
static void judge_probes(struct srun *s, const struct sc_step *st, const struct smi_set *set,
			 const bool *probed, bool *converged, uint64_t round, bool *seen)
{
	const struct obs_set *obs = s->t->ops->observed_lock(s->t);
	struct check_ctx c = { .sc = s->sc, .obs = obs, .inv = s->inv, .ci_level = 1 - s->sc->alpha,
			       .routes = s->pol->routes };
	struct expect_ctx xc = { .sc = s->sc, .inv = s->inv, .set = set, .routes = routes_of(s, set) };
	struct vindex ix;

	*seen = true;
	if (vindex_build(&ix, obs, s->inv, s->run, NULL)) {
		s->t->ops->observed_unlock(s->t);
		return;
	}
	for (size_t k = 0; k < st->n_traffic; k++) {
		const struct sc_traffic *t = &st->traffic[k];
		struct convergence cv;
		struct sc_expect x;
		json_t *how = NULL;
		struct vreq *r = NULL;
		char why[200];
		int n;
		bool here = false;

		if (!sc_traffic_asserts(t)) {	/* traffic for a metrics assertion: nothing to converge */
			converged[k] = true;
			continue;
		}
		n = vindex_requests(&ix, st->index, t, true, &r);
		/*
		 * A success the client saw was served somewhere: until that record
		 * is in too, the probe is not all there (the server's record can
		 * come in after the client's, when all probes end at once).
		 */
		for (int j = 0; j < n; j++)
			here |= r[j].id.round == round && r[j].outcome != CO_UNOBSERVED &&
				(!vreq_succeeded(&r[j]) || r[j].served);
		if (probed[k])
			*seen &= here;
		converge_init(st, &cv);
		if (n >= 0 && !expect_resolve(&xc, t, &x, &how, why, sizeof(why)))
			converge_add(&c, st, t, &x, r, (size_t)n, &cv);
		converged[k] = cv.checked && cv.converged;
		json_decref(how);
		vreqs_free(r, n > 0 ? (size_t)n : 0);
	}
	vindex_free(&ix);
	s->t->ops->observed_unlock(s->t);
}

static bool all_true(const bool *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i])
			return false;
	return true;
}

/*
 * What a probe of t shows once the mesh has put the policy into effect, in
 * words ("denied", "allowed, split app-b 75 / app-c 25"), into buf.
 */
static void effect_text(const struct srun *s, const struct smi_set *set, const struct sc_traffic *t, char *buf,
			size_t len)
{
	struct expect_ctx xc = { .sc = s->sc, .inv = s->inv, .set = set, .routes = routes_of(s, set) };
	struct sc_expect x;
	json_t *how = NULL;
	char why[200];
	size_t n;

	if (expect_resolve(&xc, t, &x, &how, why, sizeof(why))) {
		snprintf(buf, len, "an effect that cannot be derived (%s)", why);
		return;
	}
	json_decref(how);
	n = (size_t)snprintf(buf, len, "%s", x.route ? "as the routes say" : x.access == SC_ACCESS_DENY ? "denied" :
				      x.access == SC_ACCESS_ALLOW ? "allowed" : "");
	for (size_t i = 0; x.split != SC_SPLIT_NONE && i < x.n_shares && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s %g", i ? " / " : n ? ", split " : "split ",
				      x.shares[i].service, x.shares[i].weight);
}

/* Names the entries not yet done, with what they wait to see, on one line into buf. */
static void pending_text(const struct srun *s, const struct sc_step *st, const struct smi_set *set,
			 const bool *done, char *buf, size_t len)
{
	size_t n = 0;

	*buf = 0;
	for (size_t k = 0; k < st->n_traffic && n < len; k++) {
		char effect[256];

		if (done[k])
			continue;
		effect_text(s, set, &st->traffic[k], effect, sizeof(effect));
		n += (size_t)snprintf(buf + n, len - n, "%s%s (%s)", n ? ", " : "", st->traffic[k].name, effect);
	}
}

/* Says what the convergence wait waits for: the rule, then each entry and the effect it must show. */
static void announce_wait(const struct srun *s, const struct sc_step *st, const struct smi_set *set,
			  const bool *done)
{
	pr_info("    waiting until the mesh shows the policy: %u probes in a row per entry showing its effect, "
		"one round every %.2f s, for at most %.0f s or %u rounds, whichever ends later", st->converge.consecutive,
		st->converge.interval_ns / 1e9, st->converge.timeout_ns / 1e9, converge_min_rounds(st->converge.consecutive));
	for (size_t k = 0; k < st->n_traffic; k++) {
		const struct sc_traffic *t = &st->traffic[k];
		char effect[256];

		if (done[k])
			continue;
		effect_text(s, set, t, effect, sizeof(effect));
		pr_info("      %s: %s/%s -> %s/%s %s %s: %s", t->name, t->from_ns, t->from, t->to_ns, t->to, t->method,
			t->path, effect);
	}
}

/*
 * Probe round number round: one probe per entry not yet done, all at once
 * (a round takes as long with many entries as with one), then their records
 * judged into done. Returns 0, or -1 when a probe could not be sent.
 */
static int probe_round(struct srun *s, const struct sc_step *st, const struct smi_set *set, bool *done,
		       uint64_t round)
{
	uint64_t sent;
	bool probed[st->n_traffic], seen = false;
	char prefix[st->n_traffic][96];
	struct traffic_job jobs[st->n_traffic];
	size_t n = 0;

	for (size_t k = 0; k < st->n_traffic; k++) {
		probed[k] = !done[k];
		if (!probed[k])
			continue;
		reqid_prefix(prefix[k], sizeof(prefix[k]), s->run, st->index, st->traffic[k].index, true, round);
		if (job(s, &st->traffic[k], prefix[k], 1, 0, 1, &jobs[n++]))
			return -1;
	}
	if (traffic_send_all(s->t, jobs, n))
		return -1;
	/*
	 * The kernel's records of the probes arrive a drain period after the
	 * last answer: wait from there, and judge at least once (a loaded
	 * machine can take longer than that period to send many entries'
	 * probes, and a wait counted from before sending then never judged
	 * them at all).
	 */
	sent = mono_ns();
	do {
		sleep_ns(20000000ULL);
		judge_probes(s, st, set, probed, done, round, &seen);
	} while (!seen && mono_ns() - sent < PROBE_SEEN_WAIT_NS);
	return 0;
}

/* Says which entries of st (done[k] false) did not converge within rounds probe rounds. */
static void note_unconverged(struct srun *s, const struct sc_step *st, const struct smi_set *set,
			     const bool *done, uint64_t rounds)
{
	for (size_t k = 0; k < st->n_traffic; k++)
		if (!done[k]) {
			char effect[256];

			effect_text(s, set, &st->traffic[k], effect, sizeof(effect));
			pr_info("    %s: NOT converged within %.0f s and %" PRIu64 " probe rounds (its probes did not "
				"show '%s' %u times in a row): measuring anyway", st->traffic[k].name,
				st->converge.timeout_ns / 1e9, rounds, effect, st->converge.consecutive);
		}
}

/*
 * After a policy change: probe each traffic entry once per round until its
 * probes show the policy's effect (the rule the verifier applies to the
 * recorded probes) or the bound passes: the step's timeout, but never
 * fewer than converge_min_rounds() rounds (a loaded machine probes slowly).
 * Never a fixed sleep.
 */
static int converge(struct srun *s, const struct sc_step *st, const struct smi_set *set)
{
	uint64_t start = mono_ns(), deadline = start + st->converge.timeout_ns, round, next_note;
	bool done[st->n_traffic];

	for (size_t k = 0; k < st->n_traffic; k++)
		done[k] = !sc_traffic_asserts(&st->traffic[k]);
	if (all_true(done, st->n_traffic))
		return 0;	/* nothing in the step shows the policy's effect: apply returned when the mesh had it */
	announce_wait(s, st, set, done);
	next_note = start + CONVERGE_NOTE_NS;
	for (round = 1; !*s->rn->stop && !all_true(done, st->n_traffic); round++) {
		uint64_t now = mono_ns();

		/* A long wait says so: silence for half a minute looks like a hang. */
		if (now >= next_note) {
			char pending[512];

			pending_text(s, st, set, done, pending, sizeof(pending));
			pr_info("    still waiting after %.0f s (%" PRIu64 " probe rounds) for %s", (now - start) / 1e9,
				round - 1, pending);
			next_note += CONVERGE_NOTE_NS;
		}
		if (probe_round(s, st, set, done, round))
			return -1;
		if (all_true(done, st->n_traffic) ||
		    (mono_ns() >= deadline && round >= converge_min_rounds(st->converge.consecutive)))
			break;
		sleep_ns(st->converge.interval_ns);
	}
	if (all_true(done, st->n_traffic)) {
		pr_info("    converged after %.2f s (%" PRIu64 " probe round%s)", (mono_ns() - start) / 1e9,
			round, round == 1 ? "" : "s");
		return 0;
	}
	note_unconverged(s, st, set, done, round);
	return 0;
}

static int measure(struct srun *s, const struct sc_step *st)
{
	char prefix[96];

	for (size_t k = 0; k < st->n_traffic && !*s->rn->stop; k++) {
		const struct sc_traffic *t = &st->traffic[k];
		uint64_t t0 = mono_ns();

		reqid_prefix(prefix, sizeof(prefix), s->run, st->index, t->index, false, 0);
		if (t->count)
			pr_info("    %s: %s/%s -> %s/%s %s %s: %" PRIu64 " requests, %u connection%s%s", t->name,
				t->from_ns, t->from, t->to_ns, t->to, t->method, t->path, t->count,
				t->concurrency, t->concurrency == 1 ? "" : "s", via_label(entry_protocol(s, t), t->via));
		else
			pr_info("    %s: %s/%s -> %s/%s %s %s: for %.1f s, %u connection%s", t->name, t->from_ns,
				t->from, t->to_ns, t->to, t->method, t->path, t->duration_ns / 1e9, t->concurrency,
				t->concurrency == 1 ? "" : "s");
		if (drive_once(s, t, prefix, t->count, t->duration_ns, t->concurrency))
			return -1;
		pr_info("      sent in %.2f s", (mono_ns() - t0) / 1e9);
	}
	return 0;
}

/* --- the mesh's metrics ---------------------------------------------------------- */

/* Keeps the exposition byte for byte. Returns 0 or -errno with the reason in err. */
static int store_scrape(const char *file, const char *text, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(file, "wb");
	int r = 0;

	if (!f || fwrite(text, 1, len, f) != len)
		r = errno ? -errno : -EIO;
	if (f && fclose(f) && !r)
		r = errno ? -errno : -EIO;
	if (r)
		snprintf(err, errlen, "cannot write '%s': %s", file, strerror(-r));
	return r;
}

/*
 * Scrapes the mesh's metrics endpoint the way the target reaches it (the
 * lab: from inside the mesh pod's network, no workload making the request).
 * A failure is recorded for the verifier, not fatal to the run.
 */
static void scrape(struct srun *s, const struct sc_step *st, const char *url, const char *when,
		   struct step_scrape *out)
{
	char err[PATH_MAX + 256] = "", *text = NULL;	/* room for a path: out->error cuts it to its size */
	uint64_t mono_ns = 0;
	size_t len = 0;
	int r;

	if (scrapes_file(out->file, sizeof(out->file), s->metrics_dir, st->index, when)) {
		snprintf(out->error, sizeof(out->error), "output directory path too long");
		return;
	}
	r = *url ? s->t->ops->scrape(s->t, url, &text, &len, &mono_ns, err, sizeof(err)) : -ENOENT;
	if (!r)
		r = store_scrape(out->file, text, len, err, sizeof(err));
	free(text);
	if (!r) {
		out->mono_ns = mono_ns;
		return;
	}
	snprintf(out->error, sizeof(out->error), "%s", !*url ? "the inventory names no mesh metrics URL" :
		 *err ? err : strerror(-r));
	unlink(out->file);
	pr_warn("    metrics %s the traffic: %s", when, out->error);
}

static void scrapes_init(struct srun *s, const struct sc_step *st, struct step_scrapes *ss)
{
	const struct sc_metrics *m = &st->metrics;

	memset(ss, 0, sizeof(*ss));
	ss->step = st->index;
	snprintf(ss->url, sizeof(ss->url), "%s", strcmp(m->scrape, "mesh") ? m->scrape : s->inv->mesh_metrics_url);
	snprintf(ss->pod, sizeof(ss->pod), "%s", s->inv->mesh_pod);
}

/*
 * Whether the mesh still runs before a step. When it does not, a `mesh`
 * record in the intents says so (the verifier makes this step and the later
 * ones INCONCLUSIVE with the reason, offline as well) and the run stops: a
 * mesh that is not there answers nothing, not even denials. Returns 1 to go
 * on, 0 to stop, -1 on error.
 */
static int mesh_still_there(struct srun *s, const struct sc_step *st)
{
	char why[160], part[PATH_MAX];
	int r = s->t->ops->mesh_running(s->t, why, sizeof(why));

	if (r != 0)
		return r;
	pr_info("    the mesh went away before this step (%s): this step and the later ones are not run", why);
	if (s->n_parts == MAX_INTENT_PARTS ||
	    path_fmt(part, sizeof(part), "%s/intents/%s-mesh-%u.jsonl", s->dir, s->run, st->index) ||
	    !(s->parts[s->n_parts] = strdup(part)))
		return -1;
	s->n_parts++;
	if ((r = intent_write_mesh_gone(part, s->run, st->index, why))) {
		error_errno(r, "cannot write '%s'", part);
		return -1;
	}
	return 0;
}

static int run_steps(struct srun *s)
{
	struct step_scrapes ss;
	char why[200];

	for (size_t i = 0; i < s->sc->n_steps && !*s->rn->stop; i++) {
		const struct sc_step *st = &s->sc->steps[i];
		int r = 0;

		pr_info("  step %u/%zu %s%s%s", st->index, s->sc->n_steps, st->name, *st->description ? ": " : "",
			st->description);
		r = mesh_still_there(s, st);
		if (r <= 0)
			return r;
		r = 0;
		if (st->n_apply || st->n_del) {
			r = apply_policy(s, i, why, sizeof(why));
			if (r == 1) {
				pr_info("    skipped: the API versions asked for cannot express the policy: %s", why);
				continue;
			}
			if (!r && st->converge.enabled)
				r = converge(s, st, s->pol->sets[i]);
		}
		if (r)
			return -1;
		if (!st->metrics.enabled) {
			if (measure(s, st))
				return -1;
			continue;
		}
		/* After the step's last apply: the mesh's counters restart when it reloads. */
		scrapes_init(s, st, &ss);
		scrape(s, st, ss.url, "before", &ss.before);
		if (measure(s, st))
			return -1;
		scrape(s, st, ss.url, "after", &ss.after);
		if (scrapes_write(s->metrics_dir, &ss))
			return -1;
		if (!*ss.before.error && !*ss.after.error)
			pr_info("    metrics: %s scraped before and after the traffic (%.2f s apart)", ss.url,
				(ss.after.mono_ns - ss.before.mono_ns) / 1e9);
	}
	return 0;
}

/* --- after the traffic --------------------------------------------------------- */

static int join_intents(struct srun *s)
{
	FILE *out = fopen(s->intent_path, "w");
	int r = 0;

	if (!out) {
		error_errno(errno, "cannot write '%s'", s->intent_path);
		return -1;
	}
	/* A part that cannot be opened: the driver did not get as far as that, nothing was sent. */
	for (size_t i = 0; i < s->n_parts; i++) {
		if (file_append(out, s->parts[i]) == -EIO)
			r = -1;
		unlink(s->parts[i]);
	}
	if (fclose(out) || r) {
		error("cannot write '%s'", s->intent_path);
		return -1;
	}
	return 0;
}

/* Writes s single-quoted for sh: ' becomes '\'' inside the quotes. */
static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		fputs(*s == '\'' ? "'\\''" : (char[]){ *s, 0 }, f);
	fputc('\'', f);
}

/*
 * The command that reproduces this scenario's verdicts from the recorded
 * files. Every path in it is absolute, as the report names them, so it
 * runs from any directory and gives the same report byte for byte; the
 * binary is the one that ran, or smi-witness on PATH when that one is gone.
 */
static void write_replay(struct srun *s)
{
	char path[PATH_MAX], exe[PATH_MAX], api[160];
	FILE *f;

	f = path_fmt(path, sizeof(path), "%s/replay.sh", s->dir) ? NULL : fopen(path, "w");
	if (!f)
		return;
	if (file_exe_dir(exe, sizeof(exe)) || path_fmt(exe + strlen(exe), sizeof(exe) - strlen(exe), "/smi-witness"))
		snprintf(exe, sizeof(exe), "smi-witness");
	verify_api_text(s->rn->api, api, sizeof(api));
	fputs("#!/bin/sh\n# Verdicts of this scenario again, from the recorded observations only.\nbin=", f);
	sh_quote(f, exe);
	fputs("\n[ -x \"$bin\" ] || bin=smi-witness\nexec \"$bin\" verify --observations ", f);
	sh_quote(f, s->obs_path);
	fputs(" --intent ", f);
	sh_quote(f, s->intent_path);
	fputs(" \\\n    --inventory ", f);
	sh_quote(f, s->inv_path);
	fputs(" --scenario ", f);
	sh_quote(f, s->sc->path);
	fputs(" \\\n    --mesh ", f);
	sh_quote(f, s->rn->mesh);
	fputs(" --run ", f);
	sh_quote(f, s->run);
	if (*api) {
		fputs(" --api ", f);
		sh_quote(f, api);
	}
	if (s->rn->ns) {
		fputs(" --namespace ", f);
		sh_quote(f, s->rn->ns);
	}
	if (s->has_metrics) {
		fputs(" \\\n    --metrics ", f);
		sh_quote(f, s->metrics_dir);
	}
	fputs(" \"$@\"\n", f);
	fclose(f);
	chmod(path, 0755);
}

/* Verifies the files just written, exactly as `smi-witness verify` will. */
static int verify_recorded(struct srun *s)
{
	struct obs_set obs = { 0 };
	struct report rep;
	int r;

	obs.keep_headers = policy_judges_headers(s->sc);
	if (obs_read(&obs, s->obs_path) || obs_read_intents(&obs, s->intent_path)) {
		obs_free(&obs);
		return EXIT_ERROR;
	}
	if (report_init(&rep, s->rn->mesh)) {
		obs_free(&obs);
		return EXIT_ERROR;
	}
	r = verify_scenario(&(struct verify_input){ .sc = s->sc, .obs = &obs, .inv = s->inv, .run = s->run,
		.capture_name = s->obs_path, .api_versions = s->rn->api,
		.metrics_dir = s->has_metrics ? s->metrics_dir : NULL }, &rep);
	if (!r)
		r = report_write_dir(&rep, s->dir);
	if (!r)
		r = report_merge(s->rn->all, &rep);
	else
		report_free(&rep);
	obs_free(&obs);
	return r ? EXIT_ERROR : 0;
}

/* An earlier run's scrapes in the same directory must not be judged as this run's. */
static int clear_scrapes(struct srun *s)
{
	static const char *const whens[] = { "before", "after" };
	char path[PATH_MAX];

	if (mkdir_p(s->metrics_dir)) {
		error_errno(errno, "cannot create '%s'", s->metrics_dir);
		return -1;
	}
	for (size_t i = 0; i < s->sc->n_steps; i++) {
		for (size_t w = 0; w < 2; w++)
			if (!scrapes_file(path, sizeof(path), s->metrics_dir, s->sc->steps[i].index, whens[w]))
				unlink(path);
		if (!path_fmt(path, sizeof(path), "%s/step-%u.json", s->metrics_dir, s->sc->steps[i].index))
			unlink(path);
	}
	return 0;
}

static int paths(struct srun *s)
{
	char intents[PATH_MAX];

	if (path_fmt(s->dir, sizeof(s->dir), "%s/%s", s->rn->out, s->sc->name) ||
	    path_fmt(intents, sizeof(intents), "%s/intents", s->dir) ||
	    path_fmt(s->inv_path, sizeof(s->inv_path), "%s/inventory.json", s->dir) ||
	    path_fmt(s->obs_path, sizeof(s->obs_path), "%s/observations.jsonl.gz", s->dir) ||
	    path_fmt(s->intent_path, sizeof(s->intent_path), "%s/intent.jsonl", s->dir) ||
	    path_fmt(s->target_log, sizeof(s->target_log), "%s/%s", s->dir, s->t->log_name) ||
	    path_fmt(s->drive_log, sizeof(s->drive_log), "%s/drive.log", s->dir) ||
	    path_fmt(s->metrics_dir, sizeof(s->metrics_dir), "%s/metrics", s->dir)) {
		error("output directory '%s' is too long", s->rn->out);
		return -1;
	}
	if (mkdir_p(intents)) {
		error_errno(errno, "cannot create '%s'", intents);
		return -1;
	}
	for (size_t i = 0; i < s->sc->n_steps; i++)
		s->has_metrics |= s->sc->steps[i].metrics.enabled;
	if (s->has_metrics && clear_scrapes(s))
		return -1;
	unlink(s->target_log);
	unlink(s->drive_log);
	return 0;
}

/*
 * The response header names the scenario's routes touch, over every step:
 * capture keeps them at the client, where a ResponseHeaderModifier shows.
 * Past CAP_RESP_NAMES_MAX the rest are not kept (their checks cannot judge).
 */
static size_t response_names(const struct srun *s, const char **out)
{
	size_t n = 0;
	bool all = true;

	for (size_t i = 0; i < s->pol->n; i++)
		all &= gw_response_header_names(s->pol->routes ? s->pol->routes[i] : NULL, out, CAP_RESP_NAMES_MAX, &n);
	if (!all)
		pr_warn("%s: the routes name more than %d response headers: capture keeps the first %d", s->sc->name,
		     CAP_RESP_NAMES_MAX, CAP_RESP_NAMES_MAX);
	return n;
}

int runner_scenario(struct runner *rn, const struct scenario *sc, const struct policy *pol, size_t nth,
		    size_t total)
{
	struct srun *s = calloc(1, sizeof(*s));
	uint64_t t0 = mono_ns();
	const char *resp[CAP_RESP_NAMES_MAX];
	size_t n_resp;
	int r = EXIT_ERROR;

	if (!s)
		return EXIT_ERROR;
	s->rn = rn;
	s->t = rn->target;
	s->sc = sc;
	s->pol = pol;
	new_run_id(s->run, sizeof(s->run));
	pr_info("[%zu/%zu] %s: scenario %s (%s, access control %s), run %s", nth, total, rn->mesh, sc->name,
		sc->smispec, sc->access_control ? "on" : "off", s->run);
	if (paths(s) || prepare(s))
		goto out;
	n_resp = response_names(s, resp);
	if (s->t->ops->observe_start(s->t, &(struct target_observe){ .inv = s->inv, .inventory_path = s->inv_path,
								     .out_path = s->obs_path, .run = s->run,
								     .response_headers = resp,
								     .n_response_headers = (unsigned)n_resp }))
		goto out;
	s->observing = true;
	r = run_steps(s) ? EXIT_ERROR : 0;
	sleep_ns(SETTLE_NS);
	if (s->t->ops->observe_stop(s->t) && !r)
		r = EXIT_ERROR;
	s->observing = false;
	if (!r && join_intents(s))
		r = EXIT_ERROR;
	if (!r) {
		write_replay(s);
		r = verify_recorded(s);
	}
	/* Only a scenario that was run to its verdicts is "done"; a failure has said why already. */
	if (!r)
		pr_info("  %s done in %.1f s; records in %s", sc->name, (mono_ns() - t0) / 1e9, s->dir);
	else
		pr_info("  %s stopped after %.1f s: no verdicts (records so far in %s)", sc->name,
			(mono_ns() - t0) / 1e9, s->dir);
out:
	if (s->observing)
		s->t->ops->observe_stop(s->t);
	for (size_t i = 0; i < s->n_parts; i++)
		free(s->parts[i]);
	inventory_free(s->inv);
	free(s);
	return r;
}
