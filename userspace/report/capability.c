/* capability.c - see capability.h */
#include "report/capability.h"

const char *capability_name(enum capability_level l)
{
	return l == CAP_FULL ? "FULL" : l == CAP_HALF ? "HALF" : "NONE";
}

enum capability_level capability_of(size_t pass, size_t total)
{
	if (!total || !pass)
		return CAP_NONE;
	return pass == total ? CAP_FULL : CAP_HALF;
}
