/* The kernel's character classes (lib/ctype.c): ASCII as in the C locale,
 * and Latin-1 above 0x7f, which format checks of bprintf-like helpers
 * see. Independent of the host's locale on purpose. */
#include "helpers/hlp_priv.h"

enum { C_UP = 1, C_LO = 2, C_DIG = 4, C_CTL = 8, C_PUN = 16, C_SPC = 32,
       C_HEX = 64, C_SP = 128 };

static unsigned char class_of(unsigned char c)
{
	if (c == ' ' || c == 0xa0)
		return C_SPC | C_SP;
	if (c >= '\t' && c <= '\r')
		return C_CTL | C_SPC;
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
		return C_CTL;
	if (c >= '0' && c <= '9')
		return C_DIG;
	if (c >= 'A' && c <= 'Z')
		return C_UP | (c <= 'F' ? C_HEX : 0);
	if (c >= 'a' && c <= 'z')
		return C_LO | (c <= 'f' ? C_HEX : 0);
	if (c < 0x80 || c < 0xc0 || c == 0xd7 || c == 0xf7)
		return C_PUN;
	return c < 0xdf ? C_UP : C_LO;
}

bool hlp_isspace(unsigned char c)
{
	return class_of(c) & C_SPC;
}

bool hlp_ispunct(unsigned char c)
{
	return class_of(c) & C_PUN;
}

bool hlp_isprint(unsigned char c)
{
	return class_of(c) & (C_PUN | C_UP | C_LO | C_DIG | C_SP);
}

bool hlp_isalnum(unsigned char c)
{
	return class_of(c) & (C_UP | C_LO | C_DIG);
}

bool hlp_isxdigit(unsigned char c)
{
	return class_of(c) & (C_DIG | C_HEX);
}
