/* A minimal test harness: CHECK records a failure and goes on; main()
 * returns check_report(), which prints "N passed, N failed". */
#ifndef BPFVM_TESTS_CHECK_H
#define BPFVM_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                         \
	do {                                                                \
		if (cond) {                                                 \
			check_passed++;                                     \
		} else {                                                    \
			check_failed++;                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",        \
				__FILE__, __LINE__, #cond);                 \
		}                                                           \
	} while (0)

#define CHECK_EQ_U64(got, want)                                             \
	do {                                                                \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);       \
		if (g_ == w_) {                                             \
			check_passed++;                                     \
		} else {                                                    \
			check_failed++;                                     \
			fprintf(stderr,                                     \
				"%s:%d: %s == 0x%" PRIx64                   \
				", want 0x%" PRIx64 "\n",                   \
				__FILE__, __LINE__, #got, g_, w_);          \
		}                                                           \
	} while (0)

#define CHECK_STREQ(got, want)                                              \
	do {                                                                \
		const char *g_ = (got), *w_ = (want);                       \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                      \
			check_passed++;                                     \
		} else {                                                    \
			check_failed++;                                     \
			fprintf(stderr, "%s:%d: %s == \"%s\", want \"%s\"\n",\
				__FILE__, __LINE__, #got, g_ ? g_ : "(null)",\
				w_ ? w_ : "(null)");                        \
		}                                                           \
	} while (0)

static inline int check_report(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
