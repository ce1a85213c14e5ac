/* A disk that syncs like a laptop's, for benchmarks/record.py: loaded with LD_PRELOAD, it makes
   every fsync() and fdatasync() of the process wait KIOSK_BENCH_SYNC_DELAY_US microseconds
   longer (0 or unset: no longer) and counts them (kiosk_bench_syncs()). The writes themselves
   go to the real disk, as before; only the wait for the disk's flush is longer. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static long syncs = 0;

long kiosk_bench_syncs(void) { return syncs; }

static void wait_like_a_laptop(void) {
    const char *text = getenv("KIOSK_BENCH_SYNC_DELAY_US");
    long us = text ? atol(text) : 0;
    syncs++;
    if (us > 0) {
        struct timespec pause = {us / 1000000, (us % 1000000) * 1000};
        nanosleep(&pause, NULL);
    }
}

int fsync(int fd) {
    static int (*real)(int) = NULL;
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_like_a_laptop();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int) = NULL;
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_like_a_laptop();
    return real(fd);
}
