/* cmd_power.c - `smi-witness power`: how many requests a split step needs. */
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "cli/cli.h"
#include "stats/stats.h"
#include "util/log.h"
#include "util/parse.h"
#include "verdict/report.h"

#define MAX_N 10000000ULL

static const char *test_name(int k)
{
	return k == 1 ? "all requests to the one backend" :
	       k == 2 ? "exact binomial, two-sided" : "Pearson chi-square goodness of fit";
}

/* What to compute: the split's weights and the statistical settings. */
struct power_req {
	double w[STATS_MAX_K], total;
	int k;
	double alpha, target, effect;
	uint64_t n;	/* also give the power of this many requests (0: no) */
};

static int parse_opts(int argc, char **argv, struct power_req *q)
{
	extern const struct command cmd_power;
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "alpha", required_argument, NULL, 'a' },
		{ "power", required_argument, NULL, 'p' },
		{ "effect", required_argument, NULL, 'e' },
		{ "requests", required_argument, NULL, 'n' },
		{ 0 }
	};
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "a:p:e:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			r = cli_opt_double("alpha", optarg, 1e-9, 0.2, &q->alpha);
			break;
		case 'p':
			r = cli_opt_double("power", optarg, 0.5, 0.999999, &q->target);
			break;
		case 'e':
			r = cli_opt_double("effect", optarg, 0.01, 0.5, &q->effect);
			break;
		case 'n':
			r = cli_opt_u64("requests", optarg, 1, MAX_N, &q->n);
			break;
		default:
			r = cli_common_opt(opt, &cmd_power);
		}
		if (r != CLI_CONTINUE)
			return r;
	}
	return CLI_CONTINUE;
}

/* The operands: one weight above 0 per backend. Returns CLI_CONTINUE or an exit code. */
static int parse_weights(int argc, char **argv, struct power_req *q)
{
	for (int i = optind; i < argc; i++) {
		if (q->k == STATS_MAX_K) {
			error("at most %d weights", STATS_MAX_K);
			return EXIT_USAGE;
		}
		if (parse_double(argv[i], 1e-9, 1e9, &q->w[q->k])) {
			error("weight '%s' is not a number above 0 (backends of weight 0 need no test)",
				     argv[i]);
			return EXIT_USAGE;
		}
		q->total += q->w[q->k++];
	}
	if (!q->k) {
		error("give the weights of the backends, e.g. 'smi-witness power 75 25'");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

static int print_json(const struct power_req *q, uint64_t required, double at_n)
{
	json_t *shares = json_array(), *doc;

	for (int i = 0; i < q->k; i++)
		json_array_append_new(shares, json_real(q->w[i] / q->total));
	doc = json_pack("{s:o, s:s, s:f, s:f, s:f, s:I, s:f}", "shares", shares, "test", test_name(q->k),
			"alpha", q->alpha, "power_target", q->target, "effect", q->effect,
			"required_n", (json_int_t)required,
			"power_at_required", required ? stats_split_power(q->w, q->k, required, q->alpha, q->effect) : 0.0);
	if (q->n) {
		json_object_set_new(doc, "requests", json_integer((json_int_t)q->n));
		json_object_set_new(doc, "power", json_real(at_n));
	}
	return report_dump(stdout, doc) ? EXIT_ERROR : EXIT_OK;
}

static void print_text(const struct power_req *q, uint64_t required, double at_n)
{
	int k = q->k;

	printf("shares       ");
	for (int i = 0; i < k; i++)
		printf("%s%.1f%%", i ? " / " : "", 100 * q->w[i] / q->total);
	printf("\ntest         %s, alpha %g\n", test_name(k), q->alpha);
	printf("effect       %g percentage points%s\n", 100 * q->effect,
	       k == 2 ? " (the weaker direction)" : k > 2 ? " moved between the two backends where it shows least" :
	       " going elsewhere");
	if (required)
		printf("required     %llu requests for power >= %g (power there %.4f)\n",
		       (unsigned long long)required, q->target,
		       stats_split_power(q->w, k, required, q->alpha, q->effect));
	else
		printf("required     more than %llu requests\n", MAX_N);
	if (q->n)
		printf("at %-9llu power %.4f\n", (unsigned long long)q->n, at_n);
}

static int run(int argc, char **argv)
{
	struct power_req q = { .alpha = 0.001, .target = 0.99, .effect = 0.10 };
	uint64_t required;
	double at_n = 0;
	int r;

	if ((r = parse_opts(argc, argv, &q)) != CLI_CONTINUE || (r = parse_weights(argc, argv, &q)) != CLI_CONTINUE)
		return r;
	required = stats_split_required_n(q.w, q.k, q.alpha, q.effect, q.target, MAX_N);
	if (q.n)
		at_n = stats_split_power(q.w, q.k, q.n, q.alpha, q.effect);
	if (log_json)
		return print_json(&q, required, at_n);
	print_text(&q, required, at_n);
	return EXIT_OK;
}

const struct command cmd_power = {
	.name = "power",
	.summary = "requests a weighted split step needs for the stated power",
	.usage = "smi-witness power [--alpha A] [--power P] [--effect E] [--requests N] WEIGHT...",
	.options =
		"  -a, --alpha A     test level (default 0.001)\n"
		"  -p, --power P     required probability of detecting the effect (default 0.99)\n"
		"  -e, --effect E    deviation to detect, as a share (default 0.10: ten points)\n"
		"  -n, --requests N  also print the power of N requests\n",
	.examples =
		"  smi-witness power 75 25             # 663 requests\n"
		"  smi-witness power 1 1 1             # three-way split: 588\n"
		"  smi-witness power -n 500 70 30      # what Gateway API's 500 requests give\n",
	.run = run,
};
