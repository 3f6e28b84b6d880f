// Capabilities of the whole process (capabilities(7)); caps.c. No N-API here: ipsecgw.c is the glue.
#ifndef IPSECGW_CAPS_H
#define IPSECGW_CAPS_H

#include <stdint.h>

// The five sets of one thread, bit n = capability n.
typedef struct {
  uint64_t effective, permitted, inheritable, bounding, ambient;
} caps_sets_t;

// What a failed call was: errno and the syscall ("capset", "prctl(PR_CAPBSET_DROP)", …).
typedef struct {
  int err;
  const char *call;
} caps_error_t;

// The calling thread's sets. 0, or errno with e->call set.
int caps_get(caps_sets_t *out, caps_error_t *e);

// The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap, without /proc).
int caps_last(void);

// Reduces every thread of the process to `keep` (intersected with what it permits): effective,
// permitted and inheritable = keep; the bounding set = keep when the thread holds CAP_SETPCAP (it
// stays otherwise); the ambient set = keep unless root is special at execve (then the bounding
// set is what children inherit, and ambient is cleared); no_new_privs set. On success *threads is how many threads
// dropped (the caller included) and *bounding whether the bounding set was reduced. 0 or errno
// with e->call set; ETIMEDOUT when a thread did not answer within two seconds.
int caps_drop_all(uint64_t keep, unsigned *threads, int *bounding, caps_error_t *e);

#endif
