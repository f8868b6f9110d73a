/* bpfvm: the eBPF virtual machine in user space. The one header tools include. */
#ifndef BPFVM_BPFVM_H
#define BPFVM_BPFVM_H

#include <bpfvm/btf.h>
#include <bpfvm/env.h>
#include <bpfvm/event.h>
#include <bpfvm/isa.h>
#include <bpfvm/map.h>
#include <bpfvm/object.h>
#include <bpfvm/prog.h>
#include <bpfvm/ringbuf.h>
#include <bpfvm/test_run.h>
#include <bpfvm/trace.h>

#endif
