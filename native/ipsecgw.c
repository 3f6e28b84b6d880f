// The N-API shim: syscalls Node lacks, nothing else (no crypto, no policy; DESIGN.md "Shape").
// So far: errno names, so that errors from later syscalls surface as exceptions carrying them.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <node_api.h>

#define CHECK(call)                                                              \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error(env, NULL, "N-API call failed: " #call);                  \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

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
  const char *name = strerrorname_np(n);
  char fallback[16];
  if (!name) {
    snprintf(fallback, sizeof fallback, "E%d", n);
    name = fallback;
  }
  napi_value out;
  CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(napi_create_function(env, "errnoName", NAPI_AUTO_LENGTH, errno_name, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "errnoName", fn));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
