/* Parse errors: one message naming the type, its kind and name, and the
 * byte offset of its record in the input. */
#include <stdio.h>

#include "btf/btf_priv.h"

int btf_err(const struct btf_ctx *c, int err, uint32_t id, const char *fmt,
	    ...)
{
	const struct bpfvm_btf *b = c->btf;
	size_t n = 0;
	va_list ap;

	if (!c->log || !c->log_size)
		return err;
	if (id >= b->start_id && id < btf_total(b) && b->offs) {
		const struct btf_type *t = btf_t(b, id);
		uint32_t rel = t->name_off - b->start_str;
		const char *name = t->name_off >= b->start_str &&
				   rel < b->str_len ? b->strs + rel : "";
		size_t at = (size_t)((const uint8_t *)t - b->data);

		n = (size_t)snprintf(c->log, c->log_size,
				     "BTF: type [%u] %s '%.64s' at byte offset "
				     "%zu: ", id, btf_kind_name(btf_kind(t)),
				     name, at);
	} else {
		n = (size_t)snprintf(c->log, c->log_size, "BTF: ");
	}
	if (n >= c->log_size)
		return err;
	va_start(ap, fmt);
	vsnprintf(c->log + n, c->log_size - n, fmt, ap);
	va_end(ap);
	return err;
}
