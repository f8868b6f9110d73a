/* bpf_trace_printk / bpf_trace_vprintk and the trace they write: the
 * line format of the kernel's trace_pipe, bpfvm_trace_read (whole lines,
 * timeouts, blocking), the buffer's size and dropped lines, the callback,
 * the sink (file, FIFO with and without a reader, BPFVM_TRACE_PIPE) and
 * bpfvm_trace_pipe_stream; and a program calling the helper. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpfvm/bpfvm.h>
#include <bpfvm/trace.h>
#include "check.h"
#include "hlp_call.h"
#include "insn_build.h"

#define ERR(e) ((uint64_t)(int64_t)(e))

static char dir[] = "/tmp/bpfvm-trace-XXXXXX";

static uint64_t printk(const char *fmt, uint64_t a, uint64_t b, uint64_t c)
{
	return hcall(BPF_FUNC_trace_printk, P(fmt), strlen(fmt) + 1, a, b, c);
}

static long drain(char *buf, size_t size)
{
	long n = bpfvm_trace_read(buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static int matches(const char *text, const char *pattern)
{
	regex_t re;
	int ok;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE))
		return 0;
	ok = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static char *slurp(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* First, before anything sets a sink: BPFVM_TRACE_PIPE names one. */
static void test_env_sink(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/env.log", dir);
	setenv("BPFVM_TRACE_PIPE", path, 1);
	CHECK_EQ_U64(printk("from env %d", 1, 0, 0), 10);
	CHECK(strstr(slurp(path), "bpf_trace_printk: from env 1\n") != NULL);
	unsetenv("BPFVM_TRACE_PIPE");
	bpfvm_trace_clear();
}

static void test_line_format(void)
{
	char buf[4096];

	prctl(PR_SET_NAME, "trace-test");
	CHECK_EQ_U64(printk("hi %d", 7, 0, 0), 4);
	CHECK(drain(buf, sizeof(buf)) > 0);
	/* "<comm>-<tid> [<cpu>] ..... <sec>.<usec>: bpf_trace_printk: <msg>"
	 * with comm right-aligned in 16 columns, tid left in 7 */
	CHECK(matches(buf, "^      trace-test-[0-9]+ +\\[[0-9]{3}\\] \\.\\.\\.\\.\\."
			   " +[0-9]+\\.[0-9]{6}: bpf_trace_printk: hi 7\n$"));
	CHECK(buf[16] == '-' && buf[24] == ' ' && buf[25] == '[');
	/* a message ending in \n gives an empty line, as the kernel's */
	printk("nl\n", 0, 0, 0);
	drain(buf, sizeof(buf));
	CHECK(matches(buf, "bpf_trace_printk: nl\n\n$"));
	/* refused formats print nothing */
	CHECK_EQ_U64(printk("%d %d %d %d", 1, 2, 3), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_trace_printk, P("abc"), 3, 0, 0, 0),
		     ERR(-EINVAL));		/* no NUL within fmt_size */
	CHECK_EQ_U64(drain(buf, sizeof(buf)), 0);
	/* the whole length is returned, the line keeps 1023 bytes */
	CHECK_EQ_U64(printk("%2000d", 5, 0, 0), 2000);
	drain(buf, sizeof(buf));
	CHECK(strlen(strstr(buf, "printk: ") + 8) == 1023 + 1);
	/* a NUL from %c ends the line's message */
	CHECK_EQ_U64(printk("a%cb", 0, 0, 0), 3);
	drain(buf, sizeof(buf));
	CHECK(matches(buf, "bpf_trace_printk: a\n$"));
}

static void test_vprintk(void)
{
	uint64_t data[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	const char *fmt = "%d %d %d %d %d %d %d %d %d %d %d %d";
	char buf[512];

	CHECK_EQ_U64(hcall(BPF_FUNC_trace_vprintk, P(fmt), strlen(fmt) + 1,
			   P(data), 96, 0), 26);
	drain(buf, sizeof(buf));
	CHECK(strstr(buf, "printk: 1 2 3 4 5 6 7 8 9 10 11 12\n") != NULL);
	CHECK_EQ_U64(hcall(BPF_FUNC_trace_vprintk, P(fmt), strlen(fmt) + 1,
			   P(data), 104, 0), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_trace_vprintk, P(fmt), strlen(fmt) + 1,
			   P(data), 20, 0), ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_trace_vprintk, P("x"), 2, 0, 8, 0),
		     ERR(-EINVAL));
	CHECK_EQ_U64(hcall(BPF_FUNC_trace_vprintk, P("x"), 2, 0, 0, 0), 1);
	CHECK_EQ_U64(hcall(BPF_FUNC_trace_vprintk, P(fmt), strlen(fmt) + 1,
			   P(data), 88, 0), ERR(-EINVAL)); /* 11 for 12 */
	drain(buf, sizeof(buf));
}

static void *late_printer(void *arg)
{
	struct timespec nap = { 0, 50000000 };

	(void)arg;
	nanosleep(&nap, NULL);
	printk("late", 0, 0, 0);
	return NULL;
}

static void test_read(void)
{
	char buf[4096], small[10];
	pthread_t t;
	long n, first;

	CHECK_EQ_U64(bpfvm_trace_read(buf, sizeof(buf), 0), 0);
	CHECK_EQ_U64(bpfvm_trace_read(buf, sizeof(buf), 30), 0);
	CHECK_EQ_U64(bpfvm_trace_read(NULL, 5, 0), ERR(-EINVAL));
	printk("one", 0, 0, 0);
	printk("two", 0, 0, 0);
	n = drain(buf, sizeof(buf));
	CHECK(n > 0 && matches(buf, "one\n.*two\n$"));
	/* room for one line only: whole lines */
	printk("one", 0, 0, 0);
	printk("two", 0, 0, 0);
	first = bpfvm_trace_read(buf, (size_t)n - 1, 0);
	buf[first > 0 ? first : 0] = '\0';
	CHECK(matches(buf, "one\n$") && !strstr(buf, "two"));
	drain(buf, sizeof(buf));
	CHECK(matches(buf, "two\n$"));
	/* less than a line: the line in pieces */
	printk("piece", 0, 0, 0);
	CHECK_EQ_U64(bpfvm_trace_read(small, sizeof(small), 0), 10);
	CHECK(drain(buf, sizeof(buf)) > 0 && matches(buf, "piece\n$"));
	/* a blocked reader wakes up */
	pthread_create(&t, NULL, late_printer, NULL);
	n = bpfvm_trace_read(buf, sizeof(buf) - 1, -1);
	pthread_join(t, NULL);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(matches(buf, "late\n$"));
}

static void count_line(const char *line, size_t len, void *ctx)
{
	if (len && line[len - 1] == '\n' && line[len] == '\0')
		(*(int *)ctx)++;
}

static void test_buffer_and_callback(void)
{
	char buf[4096];
	uint64_t dropped = bpfvm_trace_dropped();
	int lines = 0;

	CHECK(bpfvm_trace_set_buffer_size(200) == 0);
	bpfvm_trace_set_callback(count_line, &lines);
	for (int i = 0; i < 5; i++)
		printk("line %d of five", (uint64_t)i, 0, 0);
	bpfvm_trace_set_callback(NULL, NULL);
	printk("not counted", 0, 0, 0);
	CHECK_EQ_U64(lines, 5);
	CHECK(bpfvm_trace_dropped() >= dropped + 3);
	drain(buf, sizeof(buf));
	CHECK(strstr(buf, "not counted") && !strstr(buf, "line 0"));
	CHECK(bpfvm_trace_set_buffer_size(0) == 0);
	printk("kept nowhere", 0, 0, 0);
	CHECK_EQ_U64(drain(buf, sizeof(buf)), 0);
	CHECK(bpfvm_trace_set_buffer_size(1 << 20) == 0);
}

static void test_file_sink(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/sink.log", dir);
	CHECK(bpfvm_trace_set_sink("") == -EINVAL);
	CHECK(bpfvm_trace_set_sink(path) == 0);
	printk("to file %d", 1, 0, 0);
	printk("to file %d", 2, 0, 0);
	CHECK(bpfvm_trace_set_sink(NULL) == 0);
	printk("not in file", 0, 0, 0);
	CHECK(matches(slurp(path), "to file 1\n.*to file 2\n$"));
	CHECK(!strstr(slurp(path), "not in file"));
	bpfvm_trace_clear();
}

/* A FIFO nobody reads must neither block nor kill us (SIGPIPE). */
static void test_fifo_sink(void)
{
	char path[64], buf[4096];
	struct timespec nap = { 0, 250000000 };
	int rd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(bpfvm_trace_set_sink(path) == 0);
	printk("nobody listens", 0, 0, 0);
	rd = open(path, O_RDONLY | O_NONBLOCK);
	nanosleep(&nap, NULL);			/* past the retry delay */
	printk("someone listens", 0, 0, 0);
	n = read(rd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(strstr(buf, "someone listens") && !strstr(buf, "nobody"));
	close(rd);
	printk("reader gone", 0, 0, 0);	/* EPIPE, no signal */
	printk("still here", 0, 0, 0);
	CHECK(bpfvm_trace_set_sink(NULL) == 0);
	bpfvm_trace_clear();
}

struct stream_ctx {
	char path[64];
	FILE *out;
	long ret;
	volatile int done;
};

static void *streamer(void *arg)
{
	struct stream_ctx *s = arg;
	struct bpfvm_trace_stream_opts o = { .sz = sizeof(o),
					     .timeout_ms = 5000,
					     .max_lines = 2 };

	s->ret = bpfvm_trace_pipe_stream(s->path, s->out, &o);
	s->done = 1;
	return NULL;
}

static void test_stream(void)
{
	struct stream_ctx s = { .ret = -1 };
	struct timespec nap = { 0, 20000000 };
	char text[256] = "";
	pthread_t t;

	snprintf(s.path, sizeof(s.path), "%s/stream", dir);
	s.out = tmpfile();
	CHECK(bpfvm_trace_set_sink(s.path) == 0);
	pthread_create(&t, NULL, streamer, &s);
	for (int i = 0; i < 250 && !s.done; i++) {
		printk("streamed %d", (uint64_t)i, 0, 0);
		nanosleep(&nap, NULL);
	}
	pthread_join(t, NULL);
	CHECK_EQ_U64(s.ret, 2);
	rewind(s.out);
	CHECK(fread(text, 1, sizeof(text) - 1, s.out) > 0);
	CHECK(matches(text, "^ *[^ ]+-[0-9]+ .*bpf_trace_printk: streamed "
			    "[0-9]+\n.*streamed [0-9]+\n$"));
	fclose(s.out);
	CHECK(bpfvm_trace_set_sink(NULL) == 0);
	CHECK(bpfvm_trace_pipe_stream(NULL, stdout, NULL) == -EINVAL);
	bpfvm_trace_clear();
}

/* A regular file streams what is appended (or all of it with
 * FROM_START); a stop flag ends the stream. */
static void test_stream_file(void)
{
	char path[64];
	FILE *out = tmpfile(), *f;
	volatile int stop = 1;
	struct bpfvm_trace_stream_opts o = { .sz = sizeof(o), .stop = &stop,
					     .timeout_ms = 2000,
					     .flags =
						BPFVM_TRACE_STREAM_F_FROM_START };

	snprintf(path, sizeof(path), "%s/regular", dir);
	f = fopen(path, "w");
	fputs("a\nb\n", f);
	fclose(f);
	CHECK_EQ_U64(bpfvm_trace_pipe_stream(path, out, &o), 0); /* stopped */
	stop = 0;
	o.max_lines = 2;
	CHECK_EQ_U64(bpfvm_trace_pipe_stream(path, out, &o), 2);
	o.flags = 0;
	o.max_lines = 0;
	o.timeout_ms = 150;
	CHECK_EQ_U64(bpfvm_trace_pipe_stream(path, out, &o), 0); /* tail */
	fclose(out);
}

/* A program prints through the interpreter and the JIT. */
static void test_program(void)
{
	const struct bpf_insn prog[] = {
		LD_IMM64(1, 0x0a64253d78ull),	/* "x=%d\n\0\0\0" */
		STX(BPF_DW, 10, 1, -8),
		MOV64_REG(1, 10),
		ALU64_IMM(BPF_ADD, 1, -8),
		MOV64_IMM(2, 8),
		MOV64_IMM(3, 42),
		CALL_HELPER(BPF_FUNC_trace_printk),
		EXIT(),
	};
	struct bpfvm_run_opts ro = { .sz = sizeof(ro) };
	char buf[4096];
	uint64_t r0 = 0;

	CHECK(run_insns_env(prog, ARRAY_LEN(prog), NULL, NULL, 0, &r0, &ro,
			    NULL, 0) == 0);
	CHECK_EQ_U64(r0, 5);
	drain(buf, sizeof(buf));
	CHECK(matches(buf, "bpf_trace_printk: x=42\n\n$"));
	ro.engine = BPFVM_ENGINE_JIT;
	r0 = 0;
	if (run_insns_env(prog, ARRAY_LEN(prog), NULL, NULL, 0, &r0, &ro,
			  NULL, 0) == 0) {
		CHECK_EQ_U64(r0, 5);
		drain(buf, sizeof(buf));
		CHECK(matches(buf, "bpf_trace_printk: x=42\n\n$"));
	}
}

static void cleanup(void)
{
	static const char *const names[] = { "env.log", "sink.log", "fifo",
					     "stream", "regular" };
	char path[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_env_sink();
	test_line_format();
	test_vprintk();
	test_read();
	test_buffer_and_callback();
	test_file_sink();
	test_fifo_sink();
	test_stream();
	test_stream_file();
	test_program();
	cleanup();
	return check_report();
}
