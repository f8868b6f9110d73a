/* The object's ELF symbol table, walked through libelf (open keeps the
 * Elf handle): for what load and the accessors need from symbols that
 * open does not keep (weak externs, global variables' offsets). */
#include <gelf.h>

#include "loader/ld_load.h"

int ld_syms_each(const struct bpfvm_object *obj,
		 int (*fn)(const char *name, const GElf_Sym *sym, void *ctx),
		 void *ctx)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while (obj->elf && (scn = elf_nextscn(obj->elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;
			int ret;

			if (!gelf_getsym(d, (int)i, &s) ||
			    !(n = elf_strptr(obj->elf, sh.sh_link, s.st_name)))
				continue;
			ret = fn(n, &s, ctx);
			if (ret)
				return ret;
		}
	}
	return 0;
}
