/* The fast variant's destination-specialised handlers (ids and why in
 * ops.h, picked by fuse.c), included into its body: the plain handler's
 * body with the destination register a constant. */

	/* <fam>_<form>(op, d) in interp_body.h is the body. */
#define DEF_OP_R_(fam, op, form, d)                                         \
	L_##op##form##_R##d: fam##_##form(op, d); NEXT();
#define DEF_OP_D_(_, fam, op, form) ENG_DREGS(DEF_OP_R_, fam, op, form)
	ENG_DSPEC_OPS(DEF_OP_D_, _)
#undef DEF_OP_D_
#undef DEF_OP_R_

#define DEF_LDX_R_(name, T, d) L_##name##_R##d: LDX(T, d); NEXT();
#define DEF_LDX_D_(_, name, T) ENG_DREGS(DEF_LDX_R_, name, T)
	ENG_LDX_OPS(DEF_LDX_D_, _)
#undef DEF_LDX_D_
#undef DEF_LDX_R_
