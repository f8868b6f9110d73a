/* bpfvm: the eBPF virtual machine in user space. The one header tools include. */
#ifndef BPFVM_BPFVM_H
#define BPFVM_BPFVM_H

#include <bpfvm/env.h>
#include <bpfvm/isa.h>
#include <bpfvm/map.h>
#include <bpfvm/prog.h>

#endif
