/* fuzz_k8s_yaml - the YAML-to-JSON loader (kubeconfig files, manifests) never crashes or leaks. */
#include <stdint.h>
#include <stdlib.h>

#include "util/yaml_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	json_t *docs = yaml_json_load_buffer((const char *)data, size, err, sizeof(err));

	if (docs && !json_is_array(docs))
		abort();
	json_decref(docs);
	return 0;
}
