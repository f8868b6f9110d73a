# bpfvm_btf_builtin()'s bytes: src/btf/builtin_types.bpf.c compiled by
# clang -g -target bpf, its .BTF section cut out by llvm-objcopy, and the
# bytes written as a C array (btf_builtin_data.c) the library compiles.
find_program(BTF_BUILTIN_CLANG NAMES clang clang-19 clang-14 REQUIRED)
find_program(BTF_BUILTIN_OBJCOPY NAMES llvm-objcopy llvm-objcopy-19
             llvm-objcopy-14 REQUIRED)
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
  OUTPUT_VARIABLE btf_multiarch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(btf_includes)
if(btf_multiarch)
  set(btf_includes -I/usr/include/${btf_multiarch})
endif()

set(btf_dir ${CMAKE_BINARY_DIR}/btf_builtin)
set(btf_src ${CMAKE_CURRENT_LIST_DIR}/builtin_types.bpf.c)
file(MAKE_DIRECTORY ${btf_dir})
add_custom_command(OUTPUT ${btf_dir}/btf_builtin_data.c
  COMMAND ${BTF_BUILTIN_CLANG} -g -O2 -target bpf ${btf_includes}
          -c ${btf_src} -o ${btf_dir}/builtin_types.o
  COMMAND ${BTF_BUILTIN_OBJCOPY} --dump-section
          .BTF=${btf_dir}/builtin_types.btf ${btf_dir}/builtin_types.o
          ${btf_dir}/builtin_types.stripped.o
  COMMAND ${CMAKE_COMMAND} -DIN=${btf_dir}/builtin_types.btf
          -DOUT=${btf_dir}/btf_builtin_data.c
          -P ${CMAKE_CURRENT_LIST_DIR}/bin2c.cmake
  DEPENDS ${btf_src} ${CMAKE_CURRENT_LIST_DIR}/bin2c.cmake
  COMMENT "BTF of bpfvm's builtin types" VERBATIM)
target_sources(bpfvm PRIVATE ${btf_dir}/btf_builtin_data.c)
