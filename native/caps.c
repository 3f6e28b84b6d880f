// Capabilities for the whole process (capabilities(7)): reading the calling thread's sets, and
// reducing every thread's to a few.
//
// Linux keeps capabilities per thread: capset(2), prctl(PR_CAPBSET_DROP) and prctl(PR_CAP_AMBIENT)
// change the calling thread alone, and a new thread starts with the sets of the thread that made
// it. Node runs a dozen threads before any of our code does (V8's platform workers, libuv's pool,
// the inspector's SIGUSR1 watcher) and more later (the datapath workers), so a drop made by the
// main thread alone would leave the others — the datapath's, which parse what peers send, among
// them — with everything they had. caps_drop_all has each thread drop its own, the way glibc makes
// setuid(2) process-wide (nptl's "setxid" broadcast): the caller first, so that whatever it creates
// from then on starts reduced, then a signal to every other thread in /proc/self/task, whose
// handler makes the same calls, until a pass over /proc/self/task finds no thread left to do.
//
// The signal is glibc's SIGSETXID (__SIGRTMIN + 1) itself. It is the one signal that reaches every
// thread: glibc's pthread_sigmask never blocks it, and Node's inspector thread blocks every other
// (sigfillset before its pthread_create). Its handler is borrowed for the broadcast and put back.
// Ours are queued with SI_QUEUE and a cookie (rt_tgsigqueueinfo(2)); glibc sends its own with
// tgkill (SI_TKILL) and its handler ignores anything else — so a glibc broadcast arriving meanwhile
// is passed on to glibc's handler, and one of ours arriving after the hand-back does nothing.
#define _GNU_SOURCE
#include "caps.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static int fail(caps_error_t *e, int err, const char *call) {
  e->err = err;
  e->call = call;
  return err;
}

// ---- one thread ------------------------------------------------------------------------------

// capget/capset with the 64-bit layout (_LINUX_CAPABILITY_VERSION_3: two 32-bit halves), for the
// calling thread (pid 0). Raw syscalls: glibc has no wrappers, and they are async-signal-safe.
static int get3(uint64_t *eff, uint64_t *perm, uint64_t *inh) {
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
  if (syscall(SYS_capget, &h, d) < 0) return errno;
  *eff = d[0].effective | (uint64_t)d[1].effective << 32;
  *perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
  *inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
  return 0;
}

static int set3(uint64_t eff, uint64_t perm, uint64_t inh) {
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
    { (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
    { (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
  };
  return syscall(SYS_capset, &h, d) < 0 ? errno : 0;
}

int caps_last(void) {
  // PR_CAPBSET_READ answers EINVAL past the last capability the kernel knows.
  int c = 0;
  while (c < 63 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0) c++;
  return c;
}

int caps_get(caps_sets_t *out, caps_error_t *e) {
  int err = get3(&out->effective, &out->permitted, &out->inheritable);
  if (err) return fail(e, err, "capget");
  out->bounding = out->ambient = 0;
  int last = caps_last();
  for (int c = 0; c <= last; c++) {
    int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
    if (r < 0) return fail(e, errno, "prctl(PR_CAPBSET_READ)");
    if (r) out->bounding |= 1ULL << c;
    r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
    if (r < 0) return fail(e, errno, "prctl(PR_CAP_AMBIENT_IS_SET)");
    if (r) out->ambient |= 1ULL << c;
  }
  return 0;
}

typedef struct {
  uint64_t keep;
  int last;
  // Children get `keep` through the ambient set (not root), or through the bounding set (root).
  bool ambient;
} plan_t;

// The drop, for the calling thread; async-signal-safe (raw syscalls only). The order matters:
// PR_CAPBSET_DROP needs CAP_SETPCAP in the effective set, so it goes first; an ambient capability
// must be permitted and inheritable, so the ambient set is made after capset. no_new_privs (per
// thread too) keeps what this thread runs from gaining more (setuid binaries, file capabilities):
// without CAP_SETPCAP the bounding set cannot shrink, and that makes what it still lists inert.
static int drop_here(const plan_t *p, bool *bounded, caps_error_t *e) {
  uint64_t eff = 0, perm = 0, inh = 0;
  int err = get3(&eff, &perm, &inh);
  if (err) return fail(e, err, "capget");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(e, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
  *bounded = false;
  if (eff >> CAP_SETPCAP & 1) {
    for (int c = 0; c <= p->last; c++) {
      if (!(p->keep >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) return fail(e, errno, "prctl(PR_CAPBSET_DROP)");
    }
    *bounded = true;
  }
  uint64_t k = p->keep & perm;
  if ((err = set3(k, k, k))) return fail(e, err, "capset");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return fail(e, errno, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  if (p->ambient) {
    for (int c = 0; c <= p->last; c++) {
      if (k >> c & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) return fail(e, errno, "prctl(PR_CAP_AMBIENT_RAISE)");
    }
  }
  return 0;
}

// Root is special at execve (capabilities(7), "Capabilities and execution of programs by root"):
// a child's permitted set is the bounding set (and the inheritable set) — unless SECBIT_NOROOT.
static bool root_is_special(void) {
  int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  return (getuid() == 0 || geteuid() == 0) && !(bits > 0 && bits & SECBIT_NOROOT);
}

// ---- every thread ----------------------------------------------------------------------------

#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))
#define CAN_BROADCAST 1
// nptl's SIGSETXID (glibc nptl/pthreadP.h).
#define SIGSETXID (__SIGRTMIN + 1)

// The kernel's struct sigaction for rt_sigaction(2) on x86-64 and arm64 (asm-generic layout with
// sa_restorer; glibc's own sigaction() refuses SIGSETXID, so the raw call it is).
struct ksigaction {
  void *handler;
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};

static int raw_sigaction(int sig, const struct ksigaction *act, struct ksigaction *old) {
  return syscall(SYS_rt_sigaction, sig, act, old, sizeof(uint64_t)) < 0 ? errno : 0;
}

#define MAX_THREADS 1024
enum { SENT, DONE, FAILED, GONE };

// The broadcast in progress: the plan, and a slot per signalled thread, which its handler finds by
// thread id and fills in. Slots are written by the main thread before the signal goes out.
static struct {
  plan_t plan;
  _Atomic int count;
  struct {
    _Atomic pid_t tid;
    _Atomic int state;
    bool bounded;
    caps_error_t e;
  } slot[MAX_THREADS];
} bc;

static struct ksigaction glibc_action;

static void on_signal(int sig, siginfo_t *si, void *uc) {
  if (si->si_code != SI_QUEUE || si->si_pid != getpid() || si->si_value.sival_ptr != &bc) {
    // glibc's own setxid broadcast, or a stray: its handler's business.
    if (glibc_action.flags & SA_SIGINFO) ((void (*)(int, siginfo_t *, void *))glibc_action.handler)(sig, si, uc);
    else ((void (*)(int))glibc_action.handler)(sig);
    return;
  }
  int saved = errno;
  pid_t tid = (pid_t)syscall(SYS_gettid);
  int n = atomic_load(&bc.count);
  for (int i = 0; i < n; i++) {
    if (atomic_load(&bc.slot[i].tid) != tid || atomic_load(&bc.slot[i].state) != SENT) continue;
    int err = drop_here(&bc.plan, &bc.slot[i].bounded, &bc.slot[i].e);
    atomic_store(&bc.slot[i].state, err ? FAILED : DONE);
    break;
  }
  errno = saved;
}

static bool known(pid_t tid) {
  int n = atomic_load(&bc.count);
  for (int i = 0; i < n; i++) {
    if (atomic_load(&bc.slot[i].tid) == tid && atomic_load(&bc.slot[i].state) != GONE) return true;
  }
  return false;
}

// Signals every thread of /proc/self/task not signalled yet (but the caller); how many, or -errno.
static int signal_new(pid_t self, caps_error_t *e) {
  DIR *d = opendir("/proc/self/task");
  if (!d) return -fail(e, errno, "opendir(/proc/self/task)");
  int sent = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    char *end;
    long tid = strtol(de->d_name, &end, 10);
    if (*end || tid <= 0 || tid == self || known((pid_t)tid)) continue;
    int i = atomic_load(&bc.count);
    if (i == MAX_THREADS) {
      closedir(d);
      return -fail(e, E2BIG, "more threads than caps.c can follow");
    }
    atomic_store(&bc.slot[i].tid, (pid_t)tid);
    atomic_store(&bc.slot[i].state, SENT);
    atomic_store(&bc.count, i + 1);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGSETXID;
    info.si_code = SI_QUEUE;
    info.si_pid = getpid();
    info.si_uid = getuid();
    info.si_value.sival_ptr = &bc;
    if (syscall(SYS_rt_tgsigqueueinfo, getpid(), (pid_t)tid, SIGSETXID, &info) < 0) {
      if (errno == ESRCH) { // ended meanwhile
        atomic_store(&bc.slot[i].state, GONE);
        continue;
      }
      int err = errno;
      closedir(d);
      return -fail(e, err, "rt_tgsigqueueinfo");
    }
    sent++;
  }
  closedir(d);
  return sent;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Waits until every slot is answered, or its thread has ended; ETIMEDOUT at the deadline.
static int wait_answers(int64_t deadline, caps_error_t *e) {
  static char which[64];
  for (;;) {
    int open = 0, n = atomic_load(&bc.count);
    pid_t late = 0;
    for (int i = 0; i < n; i++) {
      if (atomic_load(&bc.slot[i].state) != SENT) continue;
      pid_t tid = atomic_load(&bc.slot[i].tid);
      if (syscall(SYS_tgkill, getpid(), tid, 0) < 0 && errno == ESRCH) {
        atomic_store(&bc.slot[i].state, GONE);
        continue;
      }
      open++;
      late = tid;
    }
    if (!open) return 0;
    if (now_ms() > deadline) {
      snprintf(which, sizeof which, "thread %d did not answer", (int)late);
      return fail(e, ETIMEDOUT, which);
    }
    struct timespec ms = { 0, 1000000 };
    nanosleep(&ms, NULL);
  }
}
#endif

int caps_drop_all(uint64_t keep, unsigned *threads, int *bounding, caps_error_t *e) {
#ifndef CAN_BROADCAST
  (void)keep, (void)threads, (void)bounding;
  // Nothing dropped: in the calling thread alone it would not be what was asked.
  return fail(e, ENOSYS, "a drop in every thread (glibc on x86-64 or arm64 only)");
#else
  // Checked before anything changes: the handler to borrow (and, on x86-64, its restorer).
  int err = raw_sigaction(SIGSETXID, NULL, &glibc_action);
  if (err) return fail(e, err, "rt_sigaction(SIGSETXID)");
  if (glibc_action.handler == (void *)SIG_DFL || glibc_action.handler == (void *)SIG_IGN) {
    return fail(e, ENOTSUP, "rt_sigaction(SIGSETXID): no glibc handler to borrow");
  }

  // This thread first: whatever it starts from now on starts reduced.
  plan_t plan = { .keep = keep, .last = caps_last(), .ambient = !root_is_special() };
  bool bounded;
  if ((err = drop_here(&plan, &bounded, e))) return err;
  *threads = 1;
  *bounding = bounded;

  struct ksigaction ours = glibc_action;
  ours.handler = (void *)on_signal;
  ours.flags |= SA_SIGINFO;
  bc.plan = plan;
  atomic_store(&bc.count, 0);
  if ((err = raw_sigaction(SIGSETXID, &ours, NULL))) return fail(e, err, "rt_sigaction(SIGSETXID)");

  pid_t self = (pid_t)syscall(SYS_gettid);
  int64_t deadline = now_ms() + 2000;
  for (;;) {
    int sent = signal_new(self, e);
    if (sent < 0) {
      err = -sent;
      break;
    }
    if ((err = wait_answers(deadline, e)) || sent == 0) break;
  }
  // Give glibc its handler back; our signals still queued (a timeout) find it and are ignored.
  int restore = raw_sigaction(SIGSETXID, &glibc_action, NULL);
  if (err) return err;
  if (restore) return fail(e, restore, "rt_sigaction(SIGSETXID)");
  int n = atomic_load(&bc.count);
  for (int i = 0; i < n; i++) {
    int state = atomic_load(&bc.slot[i].state);
    if (state == FAILED) return fail(e, bc.slot[i].e.err, bc.slot[i].e.call);
    if (state != DONE) continue;
    (*threads)++;
    *bounding = *bounding && bc.slot[i].bounded;
  }
  return 0;
#endif
}
