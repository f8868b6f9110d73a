/* bpfvm_btf_builtin: the BTF of bpfvm's context types, compiled in at
 * build time (builtin.cmake), parsed once on first use and kept. */
#include <pthread.h>

#include "btf/btf_priv.h"

/* btf_builtin_data.c, generated in the build directory */
extern const unsigned char btf_builtin_data[];
extern const size_t btf_builtin_size;

static struct bpfvm_btf *builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_parse(void)
{
	if (bpfvm_btf_parse(btf_builtin_data, btf_builtin_size, NULL, &builtin))
		builtin = NULL;
}

const struct bpfvm_btf *bpfvm_btf_builtin(void)
{
	pthread_once(&builtin_once, builtin_parse);
	return builtin;
}
