/* fetch_opts.c - see fetch_opts.h */
#include "cli/fetch_opts.h"
#include "util/log.h"

int fetch_spec_opt(struct fetch_spec *spec, int opt, const char *arg)
{
	switch (opt) {
	case FETCH_OPT_AGENT:
		if (spec->nagents == FETCH_MAX_AGENTS)
			return error("at most %d --agent options", FETCH_MAX_AGENTS);
		spec->agents[spec->nagents++] = arg;
		return 1;
	case FETCH_OPT_CLUSTER: spec->cluster = true; return 1;
	case FETCH_OPT_DIRECT: spec->direct = true; return 1;
	case FETCH_OPT_AGENT_NS: spec->agent_ns = arg; return 1;
	case FETCH_OPT_KUBECONFIG: spec->kubeconfig = arg; return 1;
	case FETCH_OPT_CONTEXT: spec->context = arg; return 1;
	case FETCH_OPT_TOKEN_FILE: spec->token_file = arg; return 1;
	case FETCH_OPT_SINCE: spec->q.since = arg; return 1;
	case FETCH_OPT_UNTIL: spec->q.until = arg; return 1;
	default: return 0;
	}
}
