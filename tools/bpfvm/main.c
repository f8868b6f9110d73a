/* bpfvm: the command line, modelled on bpftool's verbs. */
#include "cli.h"
#include "cli_json.h"

#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "asm", cmd_asm, "asm FILE [-o OUT] [--hex]    assemble to bytecode" },
	{ "btf", cmd_btf, "btf dump FILE [format c|raw] BTF of a file as C or raw" },
	{ "disasm", cmd_disasm, "disasm FILE                 print instructions" },
	{ "exec", cmd_exec,
	  "exec [PROG] [--mem FILE|--mem-hex HEX] [--interp|--jit]\n"
	  "       [--checked] [--budget N]    run, print r0 and memory" },
	{ "prog", cmd_prog, "prog dump OBJ[:PROG] [--raw] [--kconfig FILE]\n"
	  "       an object's programs as loaded, with source lines" },
	{ "jit-dump", cmd_jit_dump,
	  "jit-dump [PROG] [--checked] [--counted] [--blind]\n"
	  "       each instruction with the x86-64 code the JIT made of it" },
	{ "run", cmd_run,
	  "run OBJ[:PROG] --pcap IN [--out DIR] [--jit|--interp] [--checked]\n"
	  "       [--per-packet] [--ifindex N] [--map-entries N]\n"
	  "       [--map-update NAME KEY VALUE]...\n"
	  "       run an XDP, tc or socket filter program on every packet of\n"
	  "       a pcap/pcapng capture; write the packets per verdict to\n"
	  "       DIR/<verdict>.pcap; print counts, packets/s, ns per packet\n"
	  "       (test_run calls only: not reading or writing pcaps), a\n"
	  "       latency histogram and the program's maps" },
	{ "test-run", cmd_test_run,
	  "test-run OBJ[:PROG] [--data FILE|--data-hex HEX] [--ctx FILE|\n"
	  "       --ctx-hex HEX] [--data-out FILE] [--ctx-out FILE] [--repeat N]\n"
	  "       [--data-size-out N] [--ctx-size-out N] [--jit|--interp]\n"
	  "       one BPF_PROG_TEST_RUN, as bpftool prog run" },
	{ "trace-pipe", cmd_trace_pipe,
	  "trace-pipe [PATH] [--from-start] [--timeout MS] [--lines N]\n"
	  "       stream bpf_trace_printk output (PATH: $BPFVM_TRACE_PIPE)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *out)
{
	fprintf(out, "usage: bpfvm COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  bpfvm %s\n", commands[i].help);
	fprintf(out, "\n-j / --json: JSON output (-p / --pretty: indented), "
		     "on every command.\n");
	fprintf(out, "PROG and FILE: assembly text, hex bytes or raw "
		     "bytecode; '-' or nothing reads stdin.\n");
	return out == stdout ? 0 : 2;
}

/* Take the global -j / --json / -p / --pretty out of argv (anywhere
 * before a "--", as bpftool's getopt does); returns the new argc. */
static int take_json_flags(int argc, char **argv)
{
	int n = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			cli_json_enable(false);
		else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
			cli_json_enable(true);
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	argc = take_json_flags(argc, argv);
	if (argc < 2) {
		if (cli_json_on()) {
			cli_err("no command given (try 'bpfvm help')");
			return 2;
		}
		return usage(stderr);
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help"))
		return usage(stdout);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	cli_err("unknown command '%s' (try 'bpfvm help')", argv[1]);
	return 2;
}
