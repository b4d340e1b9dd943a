/*
 * fuzz.h - what the libFuzzer harnesses (tests/fuzz/fuzz_*.c) share.
 *
 * Each harness drives one parser of outside input through the entry
 * point the workers use, in an arena of its own that it frees before
 * returning: libFuzzer's leak check then sees whatever the parser kept.
 */
#ifndef ARBOR_FUZZ_H
#define ARBOR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct arena;

/* libFuzzer calls this with every input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a NUL-terminated string in a: what a FastCGI parameter is
 * (everything from a NUL on is cut off, as the header would be). */
char *fuzz_cstr(struct arena *a, const uint8_t *data, size_t size);

#endif
