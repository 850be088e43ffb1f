/* cmd_power.c - `smi-witness power`: how many requests a split step needs. */
#include <stdio.h>
#include <string.h>
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

static int run(int argc, char **argv)
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
	double w[STATS_MAX_K], alpha = 0.001, target = 0.99, effect = 0.10, total = 0, at_n = 0;
	uint64_t n = 0, required;
	int opt, r, k = 0;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "a:p:e:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (parse_double(optarg, 1e-9, 0.2, &alpha)) {
				error("--alpha: '%s' is not a number in [1e-9, 0.2]", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
			if (parse_double(optarg, 0.5, 0.999999, &target)) {
				error("--power: '%s' is not a number in [0.5, 0.999999]", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'e':
			if (parse_double(optarg, 0.01, 0.5, &effect)) {
				error("--effect: '%s' is not a number in [0.01, 0.5]", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_u64(optarg, 1, MAX_N, &n)) {
				error("--requests: '%s' is not an integer in [1, %llu]", optarg, MAX_N);
				return EXIT_USAGE;
			}
			break;
		default:
			if ((r = cli_common_opt(opt, &cmd_power)) != CLI_CONTINUE)
				return r;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (k == STATS_MAX_K) {
			error("at most %d weights", STATS_MAX_K);
			return EXIT_USAGE;
		}
		if (parse_double(argv[i], 1e-9, 1e9, &w[k])) {
			error("weight '%s' is not a number above 0 (backends of weight 0 need no test)",
				     argv[i]);
			return EXIT_USAGE;
		}
		total += w[k++];
	}
	if (!k) {
		error("give the weights of the backends, e.g. 'smi-witness power 75 25'");
		return EXIT_USAGE;
	}
	required = stats_split_required_n(w, k, alpha, effect, target, MAX_N);
	if (n)
		at_n = stats_split_power(w, k, n, alpha, effect);
	if (log_json) {
		json_t *shares = json_array(), *doc;

		for (int i = 0; i < k; i++)
			json_array_append_new(shares, json_real(w[i] / total));
		doc = json_pack("{s:o, s:s, s:f, s:f, s:f, s:I, s:f}", "shares", shares, "test", test_name(k),
				"alpha", alpha, "power_target", target, "effect", effect,
				"required_n", (json_int_t)required,
				"power_at_required", required ? stats_split_power(w, k, required, alpha, effect) : 0.0);
		if (n) {
			json_object_set_new(doc, "requests", json_integer((json_int_t)n));
			json_object_set_new(doc, "power", json_real(at_n));
		}
		return report_dump(stdout, doc) ? EXIT_FAILED : EXIT_OK;
	}
	printf("shares       ");
	for (int i = 0; i < k; i++)
		printf("%s%.1f%%", i ? " / " : "", 100 * w[i] / total);
	printf("\ntest         %s, alpha %g\n", test_name(k), alpha);
	printf("effect       %g percentage points%s\n", 100 * effect,
	       k == 2 ? " (the weaker direction)" : k > 2 ? " moved between the two backends where it shows least" :
	       " going elsewhere");
	if (required)
		printf("required     %llu requests for power >= %g (power there %.4f)\n",
		       (unsigned long long)required, target, stats_split_power(w, k, required, alpha, effect));
	else
		printf("required     more than %llu requests\n", MAX_N);
	if (n)
		printf("at %-9llu power %.4f\n", (unsigned long long)n, at_n);
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
