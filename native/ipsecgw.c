// The N-API shim: syscalls Node lacks, nothing else (no crypto, no policy; DESIGN.md "Shape").
//
//   tunOpen / tunSetOffload / linkUp        the TUN device (ioctls on /dev/net/tun and an AF_INET socket)
//   rawSocket / udpSocket / udpGro          the ESP (or AH) raw sockets and the UDP 4500 sockets
//   socketBuffers / close                   their SO_RCVBUF / SO_SNDBUF; closing any fd
//   readBatch / writeBatch                  packets between those fds and packet slots in WebAssembly
//                                           memory: read(2)/readv(2) and recvmmsg(2) straight into
//                                           the slot buffers, write(2)/writev(2) and sendmmsg(2)
//                                           straight out of them; no copy through JS buffers
//   wait / eventfd / eventfdSignal / eventfdClear   poll(2) for a datapath worker, and its wake-up
//   errnoName / stats                       errno names; counters of what readBatch dropped
//   capabilities / dropCapabilities         the calling thread's capability sets; reducing every
//                                           thread's to a few, after start (caps.c)
//
// Every failing syscall throws an Error whose `code` is the errno name ("EPERM"), `errno` its
// number, `syscall` the call, and whose message names the call and the function.
//
// Packet slots (assembly/esp/layout.ts, "Packet slot"): 32 bytes each, little-endian u32 fields
// BUF (start of the slot's buffer), CAP (its size), OFF (packet start), LEN (packet length) and
// VERDICT. The host fills BUF, CAP and OFF; readBatch writes LEN and, where it builds headers in
// front of what the kernel delivered, moves OFF back into the headroom.
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <node_api.h>

#include "caps.h"

// Offload flags newer than some distributions' <linux/if_tun.h> (USO: Linux 6.2).
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36
#endif

// The virtio-net header length we ask the TUN device for: 12 bytes, struct virtio_net_hdr_v1
// (= virtio_net_hdr_mrg_rxbuf: the 10-byte legacy header plus num_buffers), the header of the
// VIRTIO 1.0 spec (§5.1.6) and the one wireguard-go and QEMU use with TUN. The kernel writes the
// 10-byte header and zeroes the rest on read, and skips the rest on write (drivers/net/tun_vnet.h).
#define VNET_HDR_LEN 12

// Packet slot layout (assembly/esp/layout.ts; test/native.test.ts checks the two agree).
enum { SLOT_BUF = 0, SLOT_CAP = 4, SLOT_OFF = 8, SLOT_LEN = 12, SLOT_VERDICT = 16, SLOT_SIZE = 32 };

// One recvmmsg/sendmmsg call moves at most this many packets; larger batches loop. It is also
// UDP_GRO_CNT_MAX (include/net/udp.h), the most datagrams the kernel coalesces into one GRO read.
#define BATCH_MAX 64

// ---- errors ----------------------------------------------------------------------------------

static const char *errno_string(int n, char fallback[static 16]) {
  const char *name = strerrorname_np(n);
  if (name) return name;
  snprintf(fallback, 16, "E%d", n);
  return fallback;
}

// Throws Error(`${fn}: ${call}: ${strerror}`) with code = errno name, errno, syscall; returns NULL.
// Extra properties (index, sent) are set by the caller on the returned pending error if needed.
static napi_value make_errno_error(napi_env env, int err, const char *fn, const char *call) {
  char fallback[16];
  char message[256];
  snprintf(message, sizeof message, "%s: %s: %s", fn, call, strerror(err));
  napi_value code, msg, error, num, sys;
  if (napi_create_string_utf8(env, errno_string(err, fallback), NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, code, msg, &error) != napi_ok)
    return NULL;
  if (napi_create_int32(env, err, &num) == napi_ok) napi_set_named_property(env, error, "errno", num);
  if (napi_create_string_utf8(env, call, NAPI_AUTO_LENGTH, &sys) == napi_ok)
    napi_set_named_property(env, error, "syscall", sys);
  return error;
}

static napi_value throw_errno(napi_env env, int err, const char *fn, const char *call) {
  napi_value error = make_errno_error(env, err, fn, call);
  if (error) napi_throw(env, error);
  else napi_throw_error(env, NULL, call);
  return NULL;
}

// For batches: the error also tells which slot failed and how many packets went out before it,
// so that the caller can carry on after the slot (writeBatch(…, slots + (index + 1) * 32, …)).
static napi_value throw_batch_errno(napi_env env, int err, const char *fn, const char *call,
                                    uint32_t index, uint32_t sent, uint32_t segments, uint32_t next) {
  napi_value error = make_errno_error(env, err, fn, call);
  if (!error) {
    napi_throw_error(env, NULL, call);
    return NULL;
  }
  napi_value v;
  if (napi_create_uint32(env, index, &v) == napi_ok) napi_set_named_property(env, error, "index", v);
  if (napi_create_uint32(env, sent, &v) == napi_ok) napi_set_named_property(env, error, "sent", v);
  if (segments && napi_create_uint32(env, segments, &v) == napi_ok) napi_set_named_property(env, error, "segments", v);
  if (segments && napi_create_uint32(env, next, &v) == napi_ok) napi_set_named_property(env, error, "next", v);
  napi_throw(env, error);
  return NULL;
}

#define CHECK(call)                                                              \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error(env, NULL, "N-API call failed: " #call);                  \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

// ---- arguments -------------------------------------------------------------------------------

#define MAX_ARGS 8

typedef struct {
  napi_env env;
  const char *fn;
  size_t argc;
  napi_value argv[MAX_ARGS];
} args_t;

static bool get_args(napi_env env, napi_callback_info info, const char *fn, args_t *a) {
  a->env = env;
  a->fn = fn;
  a->argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "napi_get_cb_info failed");
    return false;
  }
  return true;
}

static bool type_error(args_t *a, const char *what) {
  char message[200];
  snprintf(message, sizeof message, "%s: %s", a->fn, what);
  napi_throw_type_error(a->env, "ERR_INVALID_ARG_TYPE", message);
  return false;
}

static bool range_error(args_t *a, const char *what) {
  char message[200];
  snprintf(message, sizeof message, "%s: %s", a->fn, what);
  napi_throw_range_error(a->env, "ERR_OUT_OF_RANGE", message);
  return false;
}

static bool is_present(args_t *a, size_t i) {
  napi_valuetype t;
  return i < a->argc && napi_typeof(a->env, a->argv[i], &t) == napi_ok && t != napi_undefined;
}

// The value v as an integer in [lo, hi] (numbers only; fractions and NaN refused); `label` names it
// in the error. v may be NULL (a missing argument: not a number).
static bool int_in(args_t *a, napi_value v, const char *label, int64_t lo, int64_t hi, int64_t *out) {
  napi_valuetype t;
  double d;
  char what[120];
  if (!v || napi_typeof(a->env, v, &t) != napi_ok || t != napi_number || napi_get_value_double(a->env, v, &d) != napi_ok) {
    snprintf(what, sizeof what, "%s must be a number", label);
    return type_error(a, what);
  }
  if (!(d >= (double)lo && d <= (double)hi) || d != (double)(int64_t)d) {
    snprintf(what, sizeof what, "%s must be an integer in %lld..%lld", label, (long long)lo, (long long)hi);
    return range_error(a, what);
  }
  *out = (int64_t)d;
  return true;
}

// Argument i as an integer in [lo, hi].
static bool arg_int(args_t *a, size_t i, const char *name, int64_t lo, int64_t hi, int64_t *out) {
  return int_in(a, i < a->argc ? a->argv[i] : NULL, name, lo, hi, out);
}

static bool arg_fd(args_t *a, size_t i, int *fd) {
  int64_t v;
  if (!arg_int(a, i, "fd", 0, INT_MAX, &v)) return false;
  *fd = (int)v;
  return true;
}

static bool arg_string(args_t *a, size_t i, const char *name, char *buf, size_t size) {
  napi_valuetype t;
  size_t len;
  char what[120];
  if (i >= a->argc || napi_typeof(a->env, a->argv[i], &t) != napi_ok || t != napi_string ||
      napi_get_value_string_utf8(a->env, a->argv[i], NULL, 0, &len) != napi_ok) {
    snprintf(what, sizeof what, "%s must be a string", name);
    return type_error(a, what);
  }
  if (len >= size) {
    snprintf(what, sizeof what, "%s is longer than %zu bytes", name, size - 1);
    return range_error(a, what);
  }
  return napi_get_value_string_utf8(a->env, a->argv[i], buf, size, &len) == napi_ok ||
         type_error(a, "cannot read a string");
}

// Property `name` of the options object at argument i: *v is NULL when the object or the property
// is absent (or undefined).
static bool opt_prop(args_t *a, size_t i, const char *name, napi_value *v) {
  *v = NULL;
  if (!is_present(a, i)) return true;
  napi_valuetype t;
  if (napi_typeof(a->env, a->argv[i], &t) != napi_ok || t != napi_object)
    return type_error(a, "options must be an object");
  bool has;
  if (napi_has_named_property(a->env, a->argv[i], name, &has) != napi_ok) return type_error(a, "bad options");
  if (!has) return true;
  if (napi_get_named_property(a->env, a->argv[i], name, v) != napi_ok || napi_typeof(a->env, *v, &t) != napi_ok)
    return type_error(a, "bad options");
  if (t == napi_undefined) *v = NULL;
  return true;
}

// obj[name] as a boolean; absent (or undefined) → false. `obj` itself may be absent.
static bool opt_bool(args_t *a, size_t i, const char *name, bool *out) {
  napi_value v;
  napi_valuetype t;
  *out = false;
  if (!opt_prop(a, i, name, &v)) return false;
  if (!v) return true;
  if (napi_typeof(a->env, v, &t) != napi_ok || t != napi_boolean || napi_get_value_bool(a->env, v, out) != napi_ok) {
    char what[120];
    snprintf(what, sizeof what, "options.%s must be a boolean", name);
    return type_error(a, what);
  }
  return true;
}

// An integer option in [lo, hi]; *out is left as it is when the option is absent.
static bool opt_int(args_t *a, size_t i, const char *name, int64_t lo, int64_t hi, int64_t *out) {
  napi_value v;
  char label[80];
  if (!opt_prop(a, i, name, &v)) return false;
  if (!v) return true;
  snprintf(label, sizeof label, "options.%s", name);
  return int_in(a, v, label, lo, hi, out);
}

// A Uint8Array over (usually) the whole WebAssembly memory. napi_get_typedarray_info gives the
// backing store's address for ArrayBuffer and SharedArrayBuffer alike (Node 20; a test reads into
// both). Every offset is checked against the view's length: after memory.grow() a view of
// unshared memory is detached (length 0) and one of shared memory keeps its old length.
static bool arg_mem(args_t *a, size_t i, uint8_t **mem, size_t *len) {
  bool is;
  napi_typedarray_type type;
  void *data = NULL;
  if (i >= a->argc || napi_is_typedarray(a->env, a->argv[i], &is) != napi_ok || !is ||
      napi_get_typedarray_info(a->env, a->argv[i], &type, len, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    return type_error(a, "mem must be a Uint8Array");
  if (!data && *len) return type_error(a, "mem has no backing store");
  *mem = data;
  return true;
}

// ---- small helpers ---------------------------------------------------------------------------

static inline uint32_t ld32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return le32toh(v);
}

static inline void st32(uint8_t *p, uint32_t v) {
  v = htole32(v);
  memcpy(p, &v, 4);
}

static inline uint16_t ld16be(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline void st16be(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

// RFC 1071 Internet checksum of an IPv4 header.
static uint16_t ipv4_header_checksum(const uint8_t *h, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t)(h[i] << 8 | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void close_keep_errno(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
}

// Counters of what readBatch dropped or split, process-wide (all threads), since load.
static _Atomic uint64_t stat_truncated;   // datagram or TUN packet larger than the slot's room: dropped
static _Atomic uint64_t stat_gro_reads;   // reads that carried a UDP GRO aggregate
static _Atomic uint64_t stat_gro_split;   // datagrams split out of GRO aggregates into slots
static _Atomic uint64_t stat_gro_dropped; // datagrams of an aggregate that found no slot (n < 64)

static napi_value make_fd(napi_env env, int fd) {
  napi_value out;
  if (napi_create_int32(env, fd, &out) != napi_ok) {
    close(fd);
    napi_throw_error(env, NULL, "napi_create_int32 failed");
    return NULL;
  }
  return out;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// ---- errnoName, stats ------------------------------------------------------------------------

// errnoName(n) → "ENOENT" etc., or "E<n>" for a number this libc does not name.
static napi_value errno_name(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "errnoName(n): n must be a number");
    return NULL;
  }
  char fallback[16];
  napi_value out;
  CHECK(napi_create_string_utf8(env, errno_string(n, fallback), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value stats(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, v;
  CHECK(napi_create_object(env, &out));
  const struct { const char *name; _Atomic uint64_t *p; } rows[] = {
    { "truncated", &stat_truncated },
    { "groReads", &stat_gro_reads },
    { "groSplit", &stat_gro_split },
    { "groDropped", &stat_gro_dropped },
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    CHECK(napi_create_double(env, (double)atomic_load_explicit(rows[i].p, memory_order_relaxed), &v));
    CHECK(napi_set_named_property(env, out, rows[i].name, v));
  }
  return out;
}

// ---- TUN -------------------------------------------------------------------------------------

// tunOpen(name, { multiQueue, vnetHdr }) → { fd, name }
// Documentation/networking/tuntap.rst: open /dev/net/tun, then TUNSETIFF with IFF_TUN (layer 3)
// and IFF_NO_PI (no 4-byte packet-information prefix); IFF_MULTI_QUEUE makes every open of the
// same name one more queue (§3.3, "Multiqueue tuntap interface"); IFF_VNET_HDR puts a virtio-net
// header before each packet, which is what lets the kernel hand over GSO super-packets once
// TUNSETOFFLOAD allows them. The name may contain "%d" (the kernel picks); the one it chose is
// returned.
static napi_value tun_open(napi_env env, napi_callback_info info) {
  args_t a;
  char name[IFNAMSIZ];
  bool mq, vnet;
  if (!get_args(env, info, "tunOpen", &a) || !arg_string(&a, 0, "name", name, sizeof name) ||
      !opt_bool(&a, 1, "multiQueue", &mq) || !opt_bool(&a, 1, "vnetHdr", &vnet))
    return NULL;

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "tunOpen", "open(/dev/net/tun)");

  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, strlen(name)); // shorter than IFNAMSIZ (arg_string)
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (mq ? IFF_MULTI_QUEUE : 0) | (vnet ? IFF_VNET_HDR : 0);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    close_keep_errno(fd);
    return throw_errno(env, errno, "tunOpen", "ioctl(TUNSETIFF)");
  }
  // Another queue of an existing multi-queue device keeps the device's flags: TUNSETIFF ignores
  // IFF_VNET_HDR then (seen on Linux 6.18). Refuse a queue whose framing is not the one asked for.
  struct ifreq now;
  memset(&now, 0, sizeof now);
  if (ioctl(fd, TUNGETIFF, &now) < 0) {
    close_keep_errno(fd);
    return throw_errno(env, errno, "tunOpen", "ioctl(TUNGETIFF)");
  }
  if (!!(now.ifr_flags & IFF_VNET_HDR) != vnet) {
    close(fd);
    char call[96];
    snprintf(call, sizeof call, "ioctl(TUNSETIFF) (%.16s exists with vnet_hdr %s)", ifr.ifr_name, vnet ? "off" : "on");
    return throw_errno(env, EINVAL, "tunOpen", call);
  }
  if (vnet) {
    // TUNSETVNETHDRSZ (tuntap.rst; drivers/net/tun.c): the header length, ≥ 10; see VNET_HDR_LEN.
    int size = VNET_HDR_LEN;
    if (ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) {
      close_keep_errno(fd);
      return throw_errno(env, errno, "tunOpen", "ioctl(TUNSETVNETHDRSZ)");
    }
    // TUNSETVNETLE: the header's 16-bit fields little-endian, as VIRTIO 1.0 has them. This is
    // already the case on little-endian hosts (legacy virtio is native-endian); the ioctl makes it
    // so on big-endian ones too, so the datapath can read the header the same way everywhere.
    int le = 1;
    if (ioctl(fd, TUNSETVNETLE, &le) < 0) {
      close_keep_errno(fd);
      return throw_errno(env, errno, "tunOpen", "ioctl(TUNSETVNETLE)");
    }
  }

  napi_value out, v;
  if (napi_create_object(env, &out) != napi_ok || napi_create_int32(env, fd, &v) != napi_ok ||
      napi_set_named_property(env, out, "fd", v) != napi_ok ||
      napi_create_string_utf8(env, ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ), &v) != napi_ok ||
      napi_set_named_property(env, out, "name", v) != napi_ok) {
    close(fd);
    napi_throw_error(env, NULL, "tunOpen: cannot build the result");
    return NULL;
  }
  return out;
}

// tunSetOffload(fd, flags): TUNSETOFFLOAD with TUN_F_* (include/uapi/linux/if_tun.h): which
// offloads the reader of a vnet-header TUN accepts — TUN_F_CSUM packets whose checksum is left
// for us (VIRTIO_NET_HDR_F_NEEDS_CSUM), TSO4/TSO6/TSO_ECN TCP and USO4/USO6 UDP super-packets.
// The kernel refuses (EINVAL) flags it does not know.
static napi_value tun_set_offload(napi_env env, napi_callback_info info) {
  args_t a;
  int fd;
  int64_t flags;
  if (!get_args(env, info, "tunSetOffload", &a) || !arg_fd(&a, 0, &fd) ||
      !arg_int(&a, 1, "flags", 0, UINT32_MAX, &flags))
    return NULL;
  if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) < 0)
    return throw_errno(env, errno, "tunSetOffload", "ioctl(TUNSETOFFLOAD)");
  return undefined(env);
}

// linkUp(name, mtu): netdevice(7) ioctls on an AF_INET datagram socket: SIOCSIFMTU, then
// SIOCGIFFLAGS and SIOCSIFFLAGS with IFF_UP added (the other flags kept). Addresses and routes
// are left to ip(8).
static napi_value link_up(napi_env env, napi_callback_info info) {
  args_t a;
  char name[IFNAMSIZ];
  int64_t mtu;
  if (!get_args(env, info, "linkUp", &a) || !arg_string(&a, 0, "name", name, sizeof name) ||
      !arg_int(&a, 1, "mtu", 68, 65535, &mtu))
    return NULL;
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return throw_errno(env, errno, "linkUp", "socket(AF_INET, SOCK_DGRAM)");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, strlen(name)); // shorter than IFNAMSIZ (arg_string)
  ifr.ifr_mtu = (int)mtu;
  const char *call = "ioctl(SIOCSIFMTU)";
  if (ioctl(s, SIOCSIFMTU, &ifr) == 0) {
    call = "ioctl(SIOCGIFFLAGS)";
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
      call = "ioctl(SIOCSIFFLAGS)";
      ifr.ifr_flags |= IFF_UP;
      if (ioctl(s, SIOCSIFFLAGS, &ifr) == 0) call = NULL;
    }
  }
  close_keep_errno(s);
  if (call) return throw_errno(env, errno, "linkUp", call);
  return undefined(env);
}

// ---- sockets ---------------------------------------------------------------------------------

static int setopt_int(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value);
}

// rawSocket(family, protocol) → fd. raw(7), ipv6(7): SOCK_RAW for IP protocol 50 (ESP) or 51 (AH).
//   IPv4: IP_HDRINCL — we send whole IPv4 packets (the kernel fills in the header checksum, the
//         total length and, when zero, the id and source); the kernel delivers whole packets on
//         receive anyway. IP_MTU_DISCOVER = IP_PMTUDISC_DONT: the kernel does not set DF itself
//         (note: with IP_HDRINCL it still refuses packets above the route's MTU with EMSGSIZE).
//   IPv6: IPV6_HDRINCL (Linux 4.5) — we send whole IPv6 packets; receiving still delivers only
//         the payload, so IPV6_RECVPKTINFO gives the destination address to rebuild the header.
static napi_value raw_socket(napi_env env, napi_callback_info info) {
  args_t a;
  int64_t family, protocol;
  if (!get_args(env, info, "rawSocket", &a) || !arg_int(&a, 0, "family", 4, 6, &family) ||
      !arg_int(&a, 1, "protocol", 1, 255, &protocol))
    return NULL;
  if (family != 4 && family != 6) return range_error(&a, "family must be 4 or 6"), NULL;
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, (int)protocol);
  if (fd < 0) return throw_errno(env, errno, "rawSocket", "socket(SOCK_RAW)");
  const char *call = NULL;
  if (family == 4) {
    if (setopt_int(fd, IPPROTO_IP, IP_HDRINCL, 1) < 0) call = "setsockopt(IP_HDRINCL)";
    else if (setopt_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT) < 0) call = "setsockopt(IP_MTU_DISCOVER)";
  } else {
    if (setopt_int(fd, IPPROTO_IPV6, IPV6_HDRINCL, 1) < 0) call = "setsockopt(IPV6_HDRINCL)";
    else if (setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0) call = "setsockopt(IPV6_RECVPKTINFO)";
  }
  if (call) {
    close_keep_errno(fd);
    return throw_errno(env, errno, "rawSocket", call);
  }
  return make_fd(env, fd);
}

// UDP_GRO (udp(7), Linux 5.0): let one read return several datagrams of one flow coalesced,
// the segment size in a UDP_GRO control message. 0 = the kernel does not know the option.
static int set_udp_gro(int fd, bool on) {
  if (setopt_int(fd, IPPROTO_UDP, UDP_GRO, on) == 0) return 1;
  return errno == ENOPROTOOPT ? 0 : -1;
}

// udpSocket(family, address, port, { reusePort, gro }) → fd: bound, non-blocking; IP_PKTINFO /
// IPV6_RECVPKTINFO so that readBatch knows each datagram's destination address; IPV6_V6ONLY so
// that an IPv4 and an IPv6 socket can share the port; SO_REUSEPORT (socket(7)) for one socket
// per worker; UDP_GRO when asked and the kernel has it (udpGro(fd) tells whether it is on).
static napi_value udp_socket(napi_env env, napi_callback_info info) {
  args_t a;
  int64_t family, port;
  char address[INET6_ADDRSTRLEN];
  bool reuse, gro;
  if (!get_args(env, info, "udpSocket", &a) || !arg_int(&a, 0, "family", 4, 6, &family) ||
      !arg_string(&a, 1, "address", address, sizeof address) ||
      !arg_int(&a, 2, "port", 0, 65535, &port) || !opt_bool(&a, 3, "reusePort", &reuse) ||
      !opt_bool(&a, 3, "gro", &gro))
    return NULL;
  if (family != 4 && family != 6) return range_error(&a, "family must be 4 or 6"), NULL;

  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof ss);
  if (family == 4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, address, &sin->sin_addr) != 1) return type_error(&a, "address is not an IPv4 address"), NULL;
    sslen = sizeof *sin;
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, address, &sin6->sin6_addr) != 1) return type_error(&a, "address is not an IPv6 address"), NULL;
    sslen = sizeof *sin6;
  }

  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return throw_errno(env, errno, "udpSocket", "socket(SOCK_DGRAM)");
  const char *call = NULL;
  if (family == 4 && setopt_int(fd, IPPROTO_IP, IP_PKTINFO, 1) < 0) call = "setsockopt(IP_PKTINFO)";
  else if (family == 6 && setopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0) call = "setsockopt(IPV6_V6ONLY)";
  else if (family == 6 && setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0) call = "setsockopt(IPV6_RECVPKTINFO)";
  else if (reuse && setopt_int(fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0) call = "setsockopt(SO_REUSEPORT)";
  else if (bind(fd, (struct sockaddr *)&ss, sslen) < 0) call = "bind";
  else if (gro && set_udp_gro(fd, true) < 0) call = "setsockopt(UDP_GRO)";
  if (call) {
    close_keep_errno(fd);
    return throw_errno(env, errno, "udpSocket", call);
  }
  return make_fd(env, fd);
}

// udpGro(fd, on = true) → whether UDP_GRO is now as asked (false: the kernel lacks it).
static napi_value udp_gro(napi_env env, napi_callback_info info) {
  args_t a;
  int fd;
  bool on = true;
  if (!get_args(env, info, "udpGro", &a) || !arg_fd(&a, 0, &fd)) return NULL;
  if (is_present(&a, 1) && napi_get_value_bool(env, a.argv[1], &on) != napi_ok)
    return type_error(&a, "on must be a boolean"), NULL;
  int r = set_udp_gro(fd, on);
  if (r < 0) return throw_errno(env, errno, "udpGro", "setsockopt(UDP_GRO)");
  napi_value out;
  CHECK(napi_get_boolean(env, r == 1, &out));
  return out;
}

// One of SO_RCVBUF / SO_SNDBUF (socket(7)): with SO_*BUFFORCE first, which may pass
// net.core.rmem_max / wmem_max and needs CAP_NET_ADMIN; without it (EPERM), the plain option,
// which the kernel caps at that maximum. The kernel doubles the value for its bookkeeping.
static const char *set_buffer(int fd, int force, int plain, int64_t bytes) {
  if (bytes < 0) return NULL;
  int v = bytes > INT_MAX / 2 ? INT_MAX / 2 : (int)bytes;
  if (setopt_int(fd, SOL_SOCKET, force, v) == 0) return NULL;
  if (errno != EPERM) return plain == SO_RCVBUF ? "setsockopt(SO_RCVBUFFORCE)" : "setsockopt(SO_SNDBUFFORCE)";
  if (setopt_int(fd, SOL_SOCKET, plain, v) == 0) return NULL;
  return plain == SO_RCVBUF ? "setsockopt(SO_RCVBUF)" : "setsockopt(SO_SNDBUF)";
}

// socketBuffers(fd, rcvbuf, sndbuf) → { rcvbuf, sndbuf } as the kernel has them now; −1 leaves
// one as it is. The defaults (212992 here) hold a few dozen packets: a burst of one sendmmsg
// from a peer overflows them (measured: ~33 datagrams of 1400 bytes over veth).
static napi_value socket_buffers(napi_env env, napi_callback_info info) {
  args_t a;
  int fd;
  int64_t rcv, snd;
  if (!get_args(env, info, "socketBuffers", &a) || !arg_fd(&a, 0, &fd) ||
      !arg_int(&a, 1, "rcvbuf", -1, INT_MAX, &rcv) || !arg_int(&a, 2, "sndbuf", -1, INT_MAX, &snd))
    return NULL;
  const char *call = set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcv);
  if (!call) call = set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, snd);
  if (call) return throw_errno(env, errno, "socketBuffers", call);
  int now[2];
  const int opts[2] = { SO_RCVBUF, SO_SNDBUF };
  napi_value out, v;
  CHECK(napi_create_object(env, &out));
  for (int i = 0; i < 2; i++) {
    socklen_t l = sizeof now[i];
    if (getsockopt(fd, SOL_SOCKET, opts[i], &now[i], &l) < 0)
      return throw_errno(env, errno, "socketBuffers", i ? "getsockopt(SO_SNDBUF)" : "getsockopt(SO_RCVBUF)");
    CHECK(napi_create_int32(env, now[i], &v));
    CHECK(napi_set_named_property(env, out, i ? "sndbuf" : "rcvbuf", v));
  }
  return out;
}

static napi_value close_fd(napi_env env, napi_callback_info info) {
  args_t a;
  int fd;
  if (!get_args(env, info, "close", &a) || !arg_fd(&a, 0, &fd)) return NULL;
  // close(2): on Linux the descriptor is released even when close fails (EINTR included), so
  // there is no retry.
  if (close(fd) < 0) return throw_errno(env, errno, "close", "close");
  return undefined(env);
}

// ---- batches ---------------------------------------------------------------------------------

typedef enum { K_TUN, K_RAW4, K_RAW6, K_UDP4, K_UDP6 } kind_t;

// Bytes readBatch writes in front of what the kernel delivers (the slot needs this much headroom).
static const uint32_t kind_prepend[] = { [K_TUN] = 0, [K_RAW4] = 0, [K_RAW6] = 40, [K_UDP4] = 28, [K_UDP6] = 48 };

static bool arg_kind(args_t *a, size_t i, kind_t *k) {
  char s[8];
  if (!arg_string(a, i, "kind", s, sizeof s)) return false;
  static const char *names[] = { "tun", "raw4", "raw6", "udp4", "udp6" };
  for (kind_t j = K_TUN; j <= K_UDP6; j++)
    if (!strcmp(s, names[j])) {
      *k = j;
      return true;
    }
  return type_error(a, "kind must be 'tun', 'raw4', 'raw6', 'udp4' or 'udp6'");
}

// The common arguments: (fd, kind, mem, slots, n). The slot table must lie inside mem.
typedef struct {
  int fd;
  kind_t kind;
  uint8_t *mem;
  size_t memlen;
  uint32_t slots; // byte offset of the slot table in mem
  uint32_t n;
} batch_t;

static bool batch_args(args_t *a, batch_t *b) {
  int64_t slots, n;
  if (!arg_fd(a, 0, &b->fd) || !arg_kind(a, 1, &b->kind) || !arg_mem(a, 2, &b->mem, &b->memlen) ||
      !arg_int(a, 3, "slots", 0, UINT32_MAX, &slots) || !arg_int(a, 4, "n", 0, UINT32_MAX, &n))
    return false;
  if ((uint64_t)slots + (uint64_t)n * SLOT_SIZE > b->memlen) return range_error(a, "the slot table is outside mem");
  b->slots = (uint32_t)slots;
  b->n = (uint32_t)n;
  return true;
}

static inline uint8_t *slot_at(const batch_t *b, uint32_t i) { return b->mem + b->slots + (size_t)i * SLOT_SIZE; }

// The TUN device's vnet header length: 0 without IFF_VNET_HDR. Asked of the fd itself (TUNGETIFF,
// TUNGETVNETHDRSZ; two cheap ioctls per batch) rather than remembered, so that any TUN fd works.
static int tun_vnet_len(int fd, int *len) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (ioctl(fd, TUNGETIFF, &ifr) < 0) return -1;
  *len = 0;
  if (ifr.ifr_flags & IFF_VNET_HDR && ioctl(fd, TUNGETVNETHDRSZ, len) < 0) return -1;
  return 0;
}

// Where readBatch may put a packet: [OFF, BUF + CAP), with room for `head` bytes at BUF before OFF
// (the vnet header, or the headers built in front). Checked for every slot before any read.
typedef struct {
  uint32_t off;  // the host's OFF
  uint32_t room; // BUF + CAP − OFF
} rx_slot_t;

static bool rx_slot(args_t *a, const batch_t *b, uint32_t i, uint32_t head, rx_slot_t *out) {
  const uint8_t *s = slot_at(b, i);
  uint64_t buf = ld32(s + SLOT_BUF), cap = ld32(s + SLOT_CAP), off = ld32(s + SLOT_OFF);
  if (buf + cap > b->memlen || off < buf + head || off > buf + cap) {
    char what[160];
    snprintf(what, sizeof what, "slot %u: need BUF + %u <= OFF <= BUF + CAP <= mem.length (BUF %llu CAP %llu OFF %llu)",
             i, head, (unsigned long long)buf, (unsigned long long)cap, (unsigned long long)off);
    return range_error(a, what);
  }
  out->off = (uint32_t)off;
  out->room = (uint32_t)(buf + cap - off);
  return true;
}

// 'tun': one readv(2) per slot: [the vnet header to BUF,] the packet to OFF.
static bool read_tun(napi_env env, args_t *a, const batch_t *b, uint32_t *filled) {
  int vnet;
  if (tun_vnet_len(b->fd, &vnet) < 0) return throw_errno(env, errno, "readBatch", "ioctl(TUNGETIFF)"), false;
  for (uint32_t i = 0; i < b->n; i++) {
    rx_slot_t rs;
    if (!rx_slot(a, b, i, (uint32_t)vnet, &rs)) return false;
  }
  uint32_t i = 0;
  while (i < b->n) {
    uint8_t *s = slot_at(b, i);
    rx_slot_t rs;
    if (!rx_slot(a, b, i, (uint32_t)vnet, &rs)) return false; // again: mem may be shared
    // A read(2) of a TUN device copies what fits and says nothing of the rest (tun_put_user(),
    // drivers/net/tun.c), so one spare byte after the slot's room tells a packet that did not fit.
    uint8_t spare;
    struct iovec iov[3] = {
      { b->mem + ld32(s + SLOT_BUF), (size_t)vnet },
      { b->mem + rs.off, rs.room },
      { &spare, 1 },
    };
    ssize_t r = vnet ? readv(b->fd, iov, 3) : readv(b->fd, iov + 1, 2);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return throw_batch_errno(env, errno, "readBatch", "readv", i, i, 0, 0), false;
    }
    if ((size_t)r < (size_t)vnet || (size_t)r - (size_t)vnet > rs.room) {
      atomic_fetch_add_explicit(&stat_truncated, 1, memory_order_relaxed);
      continue; // the same slot takes the next packet
    }
    st32(s + SLOT_LEN, (uint32_t)((size_t)r - (size_t)vnet));
    i++;
  }
  *filled = i;
  return true;
}

// What one received datagram carried besides its bytes.
typedef struct {
  struct sockaddr_in6 from; // sockaddr_in for IPv4 (smaller, same storage)
  union {
    char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
} rx_meta_t;

typedef struct {
  bool have_dst;
  uint8_t dst[16]; // the datagram's destination address (IPv4 in the first 4 bytes)
  int gso;         // UDP_GRO segment size, 0 when the read is one datagram
} rx_info_t;

static void parse_cmsgs(struct msghdr *h, rx_info_t *ri) {
  ri->have_dst = false;
  ri->gso = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      memcpy(ri->dst, &pi.ipi_addr, 4); // ipi_addr: the header's destination (ip(7))
      ri->have_dst = true;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      memcpy(ri->dst, &pi.ipi6_addr, 16);
      ri->have_dst = true;
    } else if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
      // udp(7) is silent on the type; the kernel puts an int (udp_cmsg_recv, net/ipv4/udp.c).
      int g;
      memcpy(&g, CMSG_DATA(c), sizeof g);
      ri->gso = g;
    }
  }
}

// Builds the headers in front of a packet of `len` bytes at mem[off], as if it had come from a
// raw socket, and sets the slot's OFF and LEN. raw4: nothing to build.
//   raw6: IPv6 header (RFC 8200 §3): version 6, traffic class and flow label 0, payload length,
//         next header = the socket's protocol, hop limit 64, source from msg_name, destination
//         from IPV6_PKTINFO.
//   udp4: IPv4 header (RFC 791 §3.1, no options, TTL 64, id 0, valid header checksum) + UDP
//         header (RFC 768; checksum 0, "not computed"). udp6: IPv6 header + UDP header
//         (checksum 0, which RFC 8200 §8.1 forbids on the wire — this header never goes there).
static void finish_rx(const batch_t *b, uint8_t *s, uint32_t off, uint32_t len, const rx_meta_t *m,
                      const rx_info_t *ri, int protocol, uint16_t local_port) {
  uint8_t *p = b->mem + off;
  uint32_t head = kind_prepend[b->kind];
  uint8_t *h = p - head;
  static const uint8_t zero[16];
  const uint8_t *dst = ri->have_dst ? ri->dst : zero;
  if (b->kind == K_RAW6 || b->kind == K_UDP6) {
    const struct sockaddr_in6 *from = &m->from;
    uint32_t payload = len + (b->kind == K_UDP6 ? 8 : 0);
    memset(h, 0, 40);
    h[0] = 0x60;
    st16be(h + 4, payload > 0xffff ? 0 : (uint16_t)payload);
    h[6] = b->kind == K_UDP6 ? IPPROTO_UDP : (uint8_t)protocol;
    h[7] = 64;
    memcpy(h + 8, &from->sin6_addr, 16);
    memcpy(h + 24, dst, 16);
    if (b->kind == K_UDP6) {
      uint8_t *u = h + 40;
      memcpy(u, &from->sin6_port, 2);
      st16be(u + 2, local_port);
      st16be(u + 4, payload > 0xffff ? 0 : (uint16_t)payload);
      st16be(u + 6, 0);
    }
  } else if (b->kind == K_UDP4) {
    const struct sockaddr_in *from = (const struct sockaddr_in *)&m->from;
    uint32_t total = len + 28;
    memset(h, 0, 20);
    h[0] = 0x45;
    st16be(h + 2, total > 0xffff ? 0 : (uint16_t)total);
    h[8] = 64;
    h[9] = IPPROTO_UDP;
    memcpy(h + 12, &from->sin_addr, 4);
    memcpy(h + 16, dst, 4);
    st16be(h + 10, ipv4_header_checksum(h, 20));
    uint8_t *u = h + 20;
    memcpy(u, &from->sin_port, 2);
    st16be(u + 2, local_port);
    st16be(u + 4, (uint16_t)(len + 8));
    st16be(u + 6, 0);
  }
  st32(s + SLOT_OFF, off - head);
  st32(s + SLOT_LEN, len + head);
}

// 'raw4' / 'raw6' / 'udp4' / 'udp6': recvmmsg(2), BATCH_MAX messages a call at most, each into
// its slot's [OFF, BUF + CAP). Datagrams too large for their slot (MSG_TRUNC) are dropped and
// counted (stats().truncated) and the slots after them move up.
//
// UDP GRO (udp(7)): one message may be an aggregate of up to 64 datagrams of one flow, all of the
// UDP_GRO segment size but the last. They are split into consecutive slots, as wireguard-go does
// (conn/bind_std.go, splitCoalescedMessages): with r slots left, a call reads only
// max(1, r / 64) messages into the *last* of them, so that splitting forward from the first free
// slot never overwrites a message not yet split, and every aggregate finds its slots. Once fewer
// than 64 slots are left the batch ends; a batch of fewer than 64 slots still reads one message
// and drops the datagrams that find no slot (stats().groDropped). The receiving slot needs room
// for the whole aggregate (up to 64 KiB), or it is truncated and dropped.
static bool read_sock(napi_env env, args_t *a, const batch_t *b, uint32_t *filled) {
  uint32_t head = kind_prepend[b->kind];
  for (uint32_t i = 0; i < b->n; i++) {
    rx_slot_t rs;
    if (!rx_slot(a, b, i, head, &rs)) return false;
  }

  int protocol = 0;
  uint16_t local_port = 0;
  bool gro = false;
  if (b->kind == K_RAW6) {
    socklen_t l = sizeof protocol;
    if (getsockopt(b->fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &l) < 0)
      return throw_errno(env, errno, "readBatch", "getsockopt(SO_PROTOCOL)"), false;
  } else if (b->kind == K_UDP4 || b->kind == K_UDP6) {
    struct sockaddr_in6 me;
    socklen_t l = sizeof me;
    if (getsockname(b->fd, (struct sockaddr *)&me, &l) < 0)
      return throw_errno(env, errno, "readBatch", "getsockname"), false;
    local_port = ntohs(me.sin6_port); // sin_port sits at the same place
    int on = 0;
    l = sizeof on;
    if (getsockopt(b->fd, IPPROTO_UDP, UDP_GRO, &on, &l) < 0 && errno != ENOPROTOOPT)
      return throw_errno(env, errno, "readBatch", "getsockopt(UDP_GRO)"), false;
    gro = on != 0;
  }

  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  rx_meta_t meta[BATCH_MAX];
  rx_slot_t src[BATCH_MAX];
  uint32_t done = 0; // slots filled
  while (done < b->n) {
    uint32_t left = b->n - done, vlen, at;
    if (gro) {
      if (left < BATCH_MAX && done > 0) break;
      vlen = left >= BATCH_MAX ? left / BATCH_MAX : 1;
      if (vlen > BATCH_MAX) vlen = BATCH_MAX;
      at = done + left - vlen;
    } else {
      vlen = left < BATCH_MAX ? left : BATCH_MAX;
      at = done;
    }
    for (uint32_t j = 0; j < vlen; j++) {
      if (!rx_slot(a, b, at + j, head, &src[j])) return false; // again: mem may be shared
      iov[j] = (struct iovec){ b->mem + src[j].off, src[j].room };
      msgs[j].msg_hdr = (struct msghdr){
        .msg_name = &meta[j].from, .msg_namelen = sizeof meta[j].from,
        .msg_iov = &iov[j], .msg_iovlen = 1,
        .msg_control = meta[j].ctl.buf, .msg_controllen = sizeof meta[j].ctl.buf,
      };
      msgs[j].msg_len = 0;
    }
    int r = recvmmsg(b->fd, msgs, vlen, MSG_DONTWAIT, NULL);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return throw_batch_errno(env, errno, "readBatch", "recvmmsg", at, done, 0, 0), false;
    }
    uint32_t out = done;
    for (int j = 0; j < r; j++) {
      struct msghdr *h = &msgs[j].msg_hdr;
      if (h->msg_flags & MSG_TRUNC) {
        atomic_fetch_add_explicit(&stat_truncated, 1, memory_order_relaxed);
        continue;
      }
      rx_info_t ri;
      parse_cmsgs(h, &ri);
      uint32_t len = msgs[j].msg_len;
      uint32_t seg = ri.gso > 0 && (uint32_t)ri.gso < len ? (uint32_t)ri.gso : len;
      uint32_t segs = seg ? (len + seg - 1) / seg : 1;
      if (segs > 1) atomic_fetch_add_explicit(&stat_gro_reads, 1, memory_order_relaxed);
      // Segments in order; segment k goes to slot `out`, which is the receiving slot itself or
      // one before it (see above), never one still holding a message not yet split. The limit
      // only matters if an aggregate comes when GRO looked off (a kernel without getsockopt
      // UDP_GRO): then what would overwrite the next message is dropped instead.
      uint32_t limit = gro || j + 1 == r ? b->n : at + (uint32_t)j + 1;
      for (uint32_t k = 0; k < segs; k++) {
        uint32_t pos = k * seg, part = len - pos < seg ? len - pos : seg;
        if (out >= limit) {
          atomic_fetch_add_explicit(&stat_gro_dropped, segs - k, memory_order_relaxed);
          break;
        }
        rx_slot_t ds;
        if (!rx_slot(a, b, out, head, &ds)) return false;
        if (part > ds.room) {
          atomic_fetch_add_explicit(&stat_truncated, 1, memory_order_relaxed);
          continue;
        }
        if (ds.off != src[j].off + pos) memmove(b->mem + ds.off, b->mem + src[j].off + pos, part);
        if (segs > 1) atomic_fetch_add_explicit(&stat_gro_split, 1, memory_order_relaxed);
        finish_rx(b, slot_at(b, out), ds.off, part, &meta[j], &ri, protocol, local_port);
        out++;
      }
    }
    done = out;
    if ((uint32_t)r < vlen) break; // the queue is empty
  }
  *filled = done;
  return true;
}

// readBatch(fd, kind, mem, slots, n) → how many slots were filled (0: nothing to read).
static napi_value read_batch(napi_env env, napi_callback_info info) {
  args_t a;
  batch_t b;
  if (!get_args(env, info, "readBatch", &a) || !batch_args(&a, &b)) return NULL;
  uint32_t filled = 0;
  bool ok = b.kind == K_TUN ? read_tun(env, &a, &b, &filled) : read_sock(env, &a, &b, &filled);
  if (!ok) return NULL;
  napi_value out;
  CHECK(napi_create_uint32(env, filled, &out));
  return out;
}

// What writeBatch sends of a slot: [p, p + len) to `to`; for 'tun' with slotHeaders, the vnet
// header [hdr, hdr + vnet length) before it.
typedef struct {
  uint32_t index;
  uint32_t hdr, p, len;
  struct sockaddr_in6 to; // sockaddr_in for IPv4
  socklen_t tolen;
} tx_t;

// Checks one slot to send and finds its destination. The packet must lie in its buffer, `head`
// bytes (a vnet header sent from the slot) or more after its start, and the buffer in mem; raw
// and UDP kinds need a well-formed outer header to take the destination from.
static bool tx_slot(args_t *a, const batch_t *b, uint32_t i, int udp_port, uint32_t head, tx_t *t, bool *skip) {
  const uint8_t *s = slot_at(b, i);
  uint64_t buf = ld32(s + SLOT_BUF), cap = ld32(s + SLOT_CAP), off = ld32(s + SLOT_OFF), len = ld32(s + SLOT_LEN);
  char what[160];
  *skip = false;
  if (buf + cap > b->memlen || off < buf + head || off + len > buf + cap) {
    if (head)
      snprintf(what, sizeof what, "slot %u: need BUF + %u <= OFF, OFF + LEN <= BUF + CAP <= mem.length", i, head);
    else
      snprintf(what, sizeof what, "slot %u: need BUF <= OFF, OFF + LEN <= BUF + CAP <= mem.length", i);
    return range_error(a, what);
  }
  const uint8_t *pkt = b->mem + off;
  t->index = i;
  t->hdr = (uint32_t)buf;
  t->p = (uint32_t)off;
  t->len = (uint32_t)len;
  memset(&t->to, 0, sizeof t->to);
  const char *bad = NULL;
  switch (b->kind) {
  case K_TUN:
    t->tolen = 0;
    break;
  case K_RAW4:
  case K_UDP4: {
    struct sockaddr_in *sin = (struct sockaddr_in *)&t->to;
    uint32_t ihl = len >= 20 ? (uint32_t)(pkt[0] & 15) * 4 : 0;
    if (len < 20 || pkt[0] >> 4 != 4 || ihl < 20 || ihl > len) {
      bad = "not an IPv4 packet";
      break;
    }
    sin->sin_family = AF_INET;
    memcpy(&sin->sin_addr, pkt + 16, 4);
    t->tolen = sizeof *sin;
    if (b->kind == K_UDP4) {
      if (pkt[9] != IPPROTO_UDP || len < ihl + 8) {
        bad = "not an IPv4/UDP packet";
        break;
      }
      memcpy(&sin->sin_port, pkt + ihl + 2, 2);
      if (udp_port >= 0 && ld16be(pkt + ihl) != udp_port) *skip = true;
      t->p += ihl + 8;
      t->len -= ihl + 8;
    }
    break;
  }
  case K_RAW6:
  case K_UDP6: {
    struct sockaddr_in6 *sin6 = &t->to;
    if (len < 40 || pkt[0] >> 4 != 6) {
      bad = "not an IPv6 packet";
      break;
    }
    sin6->sin6_family = AF_INET6;
    memcpy(&sin6->sin6_addr, pkt + 24, 16);
    t->tolen = sizeof *sin6;
    if (b->kind == K_UDP6) {
      if (pkt[6] != IPPROTO_UDP || len < 48) {
        bad = "not an IPv6/UDP packet (extension headers are not expected here)";
        break;
      }
      memcpy(&sin6->sin6_port, pkt + 42, 2);
      if (udp_port >= 0 && ld16be(pkt + 40) != udp_port) *skip = true;
      t->p += 48;
      t->len -= 48;
    }
    break;
  }
  }
  if (bad) {
    snprintf(what, sizeof what, "slot %u: %s", i, bad);
    return range_error(a, what);
  }
  return true;
}

// The end of the run of packets from tx[j] on that one UDP_SEGMENT message can carry: one
// destination, every datagram as long as the first but the last, which may be shorter but not
// empty (an empty last segment is no segment: the kernel would send the run without it), and at
// most UDP_SEGMENT_BYTES in all (the kernel sends the run as one UDP datagram before it cuts it).
#define UDP_SEGMENT_BYTES (65535 - 40 - 8)
static uint32_t segment_run(const tx_t *tx, uint32_t j, uint32_t k) {
  uint32_t e = j + 1, size = tx[j].len, total = size;
  while (size && e < k && tx[e - 1].len == size && tx[e].len && tx[e].len <= size && total + tx[e].len <= UDP_SEGMENT_BYTES &&
         tx[e].tolen == tx[j].tolen && memcmp(&tx[e].to, &tx[j].to, tx[j].tolen) == 0) {
    total += tx[e].len;
    e++;
  }
  return e;
}

// writeBatch(fd, kind, mem, slots, n, verdict, { slotHeaders } | { udpPort, segment }?) → how many
// packets were sent.
// Sends every slot among the n whose VERDICT equals `verdict`, in slot order:
//   'tun': write(2) each packet (writev(2) after a zeroed vnet header when the device has one:
//          flags 0, GSO_NONE — a whole packet with its checksums done). With { slotHeaders: true }
//          the device must have a vnet header, and each slot brings its own at [BUF, BUF + the
//          device's header length), before OFF: a GSO super-packet, or a checksum left to finish
//          (assembly/esp/gro.ts writes them). The kernel checks it (virtio_net_hdr_to_skb) and
//          refuses a bad one with EINVAL, which throws like any other error.
//   'raw4' / 'raw6': sendmmsg(2) of the whole IP packet to the header's destination.
//   'udp4' / 'udp6': sendmmsg(2) of the UDP payload to (the IP header's destination address,
//          the UDP header's destination port); the socket's own address and port are the source.
//          With udpPort, only slots whose UDP source port is udpPort are sent (one batch can then
//          be split between sockets bound to different ports); the others are skipped. With
//          segment (UDP_SEGMENT, udp(7), Linux 4.18): consecutive datagrams to one destination, all
//          of one size but the last (which may be shorter), go as one message with a UDP_SEGMENT
//          control message — one trip through the stack for up to BATCH_MAX datagrams, which a
//          UDP_GRO receiver reads as one. The kernel refuses a run it will not segment like any other
//          error (EMSGSIZE: over the route's MTU; EINVAL, EIO): the caller may then go on without.
// EAGAIN ends the batch early (the count tells how far it got). Any other error throws; the
// Error carries `index` (the failed slot) and `sent`, so the caller can go on after that slot;
// with segment, also `segments`, how many datagrams the failed message carried from `index` on
// (1: one alone; more: a UDP_SEGMENT run, whose slots may have others between them), and `next`,
// the slot after its last one.
// Every selected slot is checked before anything is sent (RangeError when one is malformed).
static napi_value write_batch(napi_env env, napi_callback_info info) {
  args_t a;
  batch_t b;
  int64_t verdict, port = -1;
  bool slot_hdr = false, segment = false;
  if (!get_args(env, info, "writeBatch", &a) || !batch_args(&a, &b) ||
      !arg_int(&a, 5, "verdict", 0, UINT32_MAX, &verdict))
    return NULL;
  if (is_present(&a, 6)) {
    if (b.kind == K_TUN) {
      if (!opt_bool(&a, 6, "slotHeaders", &slot_hdr)) return NULL;
    } else {
      if (b.kind != K_UDP4 && b.kind != K_UDP6) return type_error(&a, "options are for 'tun', 'udp4' and 'udp6'"), NULL;
      if (!opt_int(&a, 6, "udpPort", 0, 65535, &port) || !opt_bool(&a, 6, "segment", &segment)) return NULL;
    }
  }

  // The vnet header length first when the slots bring theirs: each slot must have room for it.
  int vnet = 0;
  if (slot_hdr) {
    if (tun_vnet_len(b.fd, &vnet) < 0) return throw_errno(env, errno, "writeBatch", "ioctl(TUNGETIFF)");
    if (vnet == 0) return type_error(&a, "slotHeaders needs a TUN device with a vnet header"), NULL;
  }
  uint32_t head = slot_hdr ? (uint32_t)vnet : 0;

  uint32_t count = 0; // slots to send
  for (uint32_t i = 0; i < b.n; i++) {
    if (ld32(slot_at(&b, i) + SLOT_VERDICT) != (uint32_t)verdict) continue;
    tx_t t;
    bool skip;
    if (!tx_slot(&a, &b, i, (int)port, head, &t, &skip)) return NULL;
    if (!skip) count++;
  }

  if (b.kind == K_TUN && count && !slot_hdr && tun_vnet_len(b.fd, &vnet) < 0)
    return throw_errno(env, errno, "writeBatch", "ioctl(TUNGETIFF)");
  uint8_t zero_hdr[64] = { 0 };
  if ((size_t)vnet > sizeof zero_hdr) return throw_errno(env, EINVAL, "writeBatch", "ioctl(TUNGETVNETHDRSZ)");

  uint32_t sent = 0, i = 0;
  bool again = false;
  while (count && i < b.n && !again) {
    // Gather up to BATCH_MAX selected slots from i on.
    tx_t tx[BATCH_MAX];
    uint32_t k = 0;
    for (; i < b.n && k < BATCH_MAX; i++) {
      if (ld32(slot_at(&b, i) + SLOT_VERDICT) != (uint32_t)verdict) continue;
      bool skip;
      if (!tx_slot(&a, &b, i, (int)port, head, &tx[k], &skip)) return NULL; // again: mem may be shared
      if (!skip) k++;
    }
    if (!k) break;
    if (b.kind == K_TUN) {
      for (uint32_t j = 0; j < k;) {
        struct iovec iov[2] = { { slot_hdr ? b.mem + tx[j].hdr : zero_hdr, (size_t)vnet }, { b.mem + tx[j].p, tx[j].len } };
        ssize_t r = vnet ? writev(b.fd, iov, 2) : write(b.fd, iov[1].iov_base, iov[1].iov_len);
        if (r < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            again = true;
            break;
          }
          return throw_batch_errno(env, errno, "writeBatch", vnet ? "writev" : "write", tx[j].index, sent, 0, 0);
        }
        sent++;
        j++;
      }
      continue;
    }
    // Message m carries packets first[m] .. first[m + 1] - 1: one each, or a segmented run.
    struct mmsghdr msgs[BATCH_MAX];
    struct iovec iov[BATCH_MAX];
    union { char buf[CMSG_SPACE(sizeof(uint16_t))]; struct cmsghdr align; } ctl[BATCH_MAX];
    uint32_t first[BATCH_MAX + 1], m = 0;
    for (uint32_t j = 0; j < k; m++) {
      uint32_t e = j + 1;
      if (segment) e = segment_run(tx, j, k);
      for (uint32_t x = j; x < e; x++) iov[x] = (struct iovec){ b.mem + tx[x].p, tx[x].len };
      first[m] = j;
      msgs[m].msg_hdr = (struct msghdr){
        .msg_name = &tx[j].to, .msg_namelen = tx[j].tolen, .msg_iov = &iov[j], .msg_iovlen = e - j,
      };
      msgs[m].msg_len = 0;
      if (e - j > 1) {
        msgs[m].msg_hdr.msg_control = ctl[m].buf;
        msgs[m].msg_hdr.msg_controllen = sizeof ctl[m].buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[m].msg_hdr);
        *c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(uint16_t)), .cmsg_level = IPPROTO_UDP, .cmsg_type = UDP_SEGMENT };
        uint16_t size = (uint16_t)tx[j].len;
        memcpy(CMSG_DATA(c), &size, sizeof size);
      }
      j = e;
    }
    first[m] = k;
    // sendmmsg(2) stops at the first failing message and reports only what went before it; the
    // next call starts with that message, so its error (or EAGAIN) comes back then.
    for (uint32_t q = 0; q < m;) {
      int r = sendmmsg(b.fd, msgs + q, m - q, 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          again = true;
          break;
        }
        return throw_batch_errno(env, errno, "writeBatch", "sendmmsg", tx[first[q]].index, sent,
                                 segment ? first[q + 1] - first[q] : 0, tx[first[q + 1] - 1].index + 1);
      }
      sent += first[q + (uint32_t)r] - first[q];
      q += (uint32_t)r;
    }
  }
  napi_value out;
  CHECK(napi_create_uint32(env, sent, &out));
  return out;
}

// ---- waiting ---------------------------------------------------------------------------------

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// wait(fds, timeoutMs) → the fds that are readable (POLLIN), or have an error or hang-up pending
// (which a read reports); [] on timeout. poll(2), blocking: for worker threads. A negative timeout
// waits forever. EINTR restarts the wait with what is left of the timeout. An fd that is not open
// (POLLNVAL) throws EBADF.
static napi_value wait_fds(napi_env env, napi_callback_info info) {
  args_t a;
  bool is_array;
  uint32_t count;
  int64_t timeout;
  if (!get_args(env, info, "wait", &a)) return NULL;
  if (a.argc < 1 || napi_is_array(env, a.argv[0], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, a.argv[0], &count) != napi_ok)
    return type_error(&a, "fds must be an array of numbers"), NULL;
  if (!arg_int(&a, 1, "timeoutMs", INT64_MIN / 2, INT_MAX, &timeout)) return NULL;
  if (count > 4096) return range_error(&a, "too many fds"), NULL;

  struct pollfd stack[32];
  struct pollfd *p = count <= 32 ? stack : calloc(count, sizeof *p);
  if (!p) return throw_errno(env, ENOMEM, "wait", "calloc");
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    int32_t fd;
    if (napi_get_element(env, a.argv[0], i, &v) != napi_ok || napi_get_value_int32(env, v, &fd) != napi_ok) {
      if (p != stack) free(p);
      return type_error(&a, "fds must be an array of numbers"), NULL;
    }
    p[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
  }
  int64_t deadline = timeout < 0 ? -1 : now_ms() + timeout;
  int r;
  for (;;) {
    int t = deadline < 0 ? -1 : (int)(deadline - now_ms() > 0 ? deadline - now_ms() : 0);
    r = poll(p, count, t);
    if (r >= 0 || errno != EINTR) break;
  }
  if (r < 0) {
    int err = errno;
    if (p != stack) free(p);
    return throw_errno(env, err, "wait", "poll");
  }
  napi_value out;
  uint32_t k = 0;
  if (napi_create_array(env, &out) != napi_ok) goto fail;
  for (uint32_t i = 0; i < count && r > 0; i++) {
    if (p[i].revents & POLLNVAL) {
      char call[48];
      snprintf(call, sizeof call, "poll(fd %d)", p[i].fd);
      if (p != stack) free(p);
      return throw_errno(env, EBADF, "wait", call);
    }
    if (p[i].revents & (POLLIN | POLLERR | POLLHUP)) {
      napi_value v;
      if (napi_create_int32(env, p[i].fd, &v) != napi_ok || napi_set_element(env, out, k++, v) != napi_ok)
        goto fail;
    }
  }
  if (p != stack) free(p);
  return out;
fail:
  if (p != stack) free(p);
  napi_throw_error(env, NULL, "wait: cannot build the result");
  return NULL;
}

// eventfd() → fd: eventfd(2), non-blocking, counter 0; a worker waits on it beside its sockets.
static napi_value event_fd(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "eventfd", "eventfd");
  return make_fd(env, fd);
}

// eventfdSignal(fd): add 1 to the counter (readable from now on). A full counter (EAGAIN) is
// already readable, so that is no error.
static napi_value eventfd_signal(napi_env env, napi_callback_info info) {
  args_t a;
  int fd;
  if (!get_args(env, info, "eventfdSignal", &a) || !arg_fd(&a, 0, &fd)) return NULL;
  uint64_t one = 1;
  while (write(fd, &one, sizeof one) < 0) {
    if (errno == EINTR) continue;
    if (errno == EAGAIN) break;
    return throw_errno(env, errno, "eventfdSignal", "write");
  }
  return undefined(env);
}

// eventfdClear(fd): read the counter back to 0 (EAGAIN: it was 0 already).
static napi_value eventfd_clear(napi_env env, napi_callback_info info) {
  args_t a;
  int fd;
  if (!get_args(env, info, "eventfdClear", &a) || !arg_fd(&a, 0, &fd)) return NULL;
  uint64_t v;
  while (read(fd, &v, sizeof v) < 0) {
    if (errno == EINTR) continue;
    if (errno == EAGAIN) break;
    return throw_errno(env, errno, "eventfdClear", "read");
  }
  return undefined(env);
}

// ---- capabilities ----------------------------------------------------------------------------

// The capability numbers of a set, ascending (capabilities(7): CAP_NET_BIND_SERVICE 10, CAP_NET_ADMIN 12, …).
static napi_value caps_array(napi_env env, uint64_t set) {
  napi_value out, v;
  uint32_t k = 0;
  if (napi_create_array(env, &out) != napi_ok) return NULL;
  for (uint32_t c = 0; c < 64; c++) {
    if (!(set >> c & 1)) continue;
    if (napi_create_uint32(env, c, &v) != napi_ok || napi_set_element(env, out, k++, v) != napi_ok) return NULL;
  }
  return out;
}

// capabilities() → { effective, permitted, inheritable, bounding, ambient }: the calling thread's.
static napi_value capabilities(napi_env env, napi_callback_info info) {
  (void)info;
  caps_sets_t sets;
  caps_error_t e = { 0, NULL };
  if (caps_get(&sets, &e)) return throw_errno(env, e.err, "capabilities", e.call);
  const struct { const char *name; uint64_t set; } rows[] = {
    { "effective", sets.effective }, { "permitted", sets.permitted }, { "inheritable", sets.inheritable },
    { "bounding", sets.bounding },   { "ambient", sets.ambient },
  };
  napi_value out, v;
  CHECK(napi_create_object(env, &out));
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    v = caps_array(env, rows[i].set);
    if (!v) {
      napi_throw_error(env, NULL, "capabilities: cannot build the result");
      return NULL;
    }
    CHECK(napi_set_named_property(env, out, rows[i].name, v));
  }
  return out;
}

// dropCapabilities(keep) → { threads, bounding }: every thread of the process keeps only the
// capabilities numbered in `keep` (of those it has): effective, permitted, inheritable and ambient
// (the bounding set when root, see caps.c), and the bounding set too when it may (CAP_SETPCAP);
// no_new_privs is set. threads: how many threads dropped; bounding: whether the bounding set was reduced.
static napi_value drop_capabilities(napi_env env, napi_callback_info info) {
  args_t a;
  bool is_array;
  uint32_t count;
  if (!get_args(env, info, "dropCapabilities", &a)) return NULL;
  if (a.argc < 1 || napi_is_array(env, a.argv[0], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, a.argv[0], &count) != napi_ok)
    return type_error(&a, "keep must be an array of capability numbers"), NULL;
  int last = caps_last();
  uint64_t keep = 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    napi_valuetype t;
    double d;
    if (napi_get_element(env, a.argv[0], i, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok || t != napi_number ||
        napi_get_value_double(env, v, &d) != napi_ok)
      return type_error(&a, "keep must be an array of capability numbers"), NULL;
    if (!(d >= 0 && d <= last) || d != (double)(int)d) {
      char what[80];
      snprintf(what, sizeof what, "capability %g is not one this kernel knows (0..%d)", d, last);
      return range_error(&a, what), NULL;
    }
    keep |= 1ULL << (int)d;
  }
  unsigned threads = 0;
  int bounding = 0;
  caps_error_t e = { 0, NULL };
  if (caps_drop_all(keep, &threads, &bounding, &e)) return throw_errno(env, e.err, "dropCapabilities", e.call);
  napi_value out, v;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_uint32(env, threads, &v));
  CHECK(napi_set_named_property(env, out, "threads", v));
  CHECK(napi_get_boolean(env, bounding, &v));
  CHECK(napi_set_named_property(env, out, "bounding", v));
  return out;
}

// ---- module ----------------------------------------------------------------------------------

static napi_value init(napi_env env, napi_value exports) {
  const struct { const char *name; napi_callback cb; } fns[] = {
    { "errnoName", errno_name },   { "stats", stats },
    { "tunOpen", tun_open },       { "tunSetOffload", tun_set_offload }, { "linkUp", link_up },
    { "rawSocket", raw_socket },   { "udpSocket", udp_socket },          { "udpGro", udp_gro },
    { "socketBuffers", socket_buffers },
    { "close", close_fd },         { "readBatch", read_batch },          { "writeBatch", write_batch },
    { "wait", wait_fds },          { "eventfd", event_fd },              { "eventfdSignal", eventfd_signal },
    { "eventfdClear", eventfd_clear },
    { "capabilities", capabilities }, { "dropCapabilities", drop_capabilities },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    CHECK(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn));
    CHECK(napi_set_named_property(env, exports, fns[i].name, fn));
  }
  const struct { const char *name; uint32_t value; } consts[] = {
    { "TUN_F_CSUM", TUN_F_CSUM },       { "TUN_F_TSO4", TUN_F_TSO4 }, { "TUN_F_TSO6", TUN_F_TSO6 },
    { "TUN_F_TSO_ECN", TUN_F_TSO_ECN }, { "TUN_F_USO4", TUN_F_USO4 }, { "TUN_F_USO6", TUN_F_USO6 },
    { "VNET_HDR_LEN", VNET_HDR_LEN },   { "SLOT_BUF", SLOT_BUF },     { "SLOT_CAP", SLOT_CAP },
    { "SLOT_OFF", SLOT_OFF },           { "SLOT_LEN", SLOT_LEN },     { "SLOT_VERDICT", SLOT_VERDICT },
    { "SLOT_SIZE", SLOT_SIZE },
  };
  napi_value c, v;
  CHECK(napi_create_object(env, &c));
  for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++) {
    CHECK(napi_create_uint32(env, consts[i].value, &v));
    CHECK(napi_set_named_property(env, c, consts[i].name, v));
  }
  CHECK(napi_set_named_property(env, exports, "constants", c));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
