# cmake -DIN=file -DOUT=file.c -P bin2c.cmake: the bytes of IN as
# btf_builtin_data[] / btf_builtin_size (see btf_builtin.c).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x..," 16 row) # CMake regexes have no {16}
string(REGEX REPLACE "(${row})" "\\1\n\t" bytes "${bytes}")
file(WRITE ${OUT}
"/* Generated from ${IN} by bin2c.cmake: do not edit. */
#include <stddef.h>

extern const unsigned char btf_builtin_data[];
extern const size_t btf_builtin_size;

const unsigned char btf_builtin_data[] __attribute__((aligned(8))) = {
\t${bytes}
};
const size_t btf_builtin_size = ${size};
")
