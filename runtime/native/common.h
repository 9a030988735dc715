// Shared helpers for the kos native addon: errno -> JS Error conversion.
// The TypeScript binding (binding.ts) maps `code`/`errno` to typed KosErrors,
// so C++ only reports what the kernel said and never decides policy.
#pragma once
#include <napi.h>
#include <cerrno>
#include <cstring>
#include <string>

namespace kos {

// strerrorname_np gives "EINVAL"; fall back to the number when glibc lacks it.
inline std::string ErrnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char* name = strerrorname_np(err);
  if (name != nullptr) return name;
#endif
  return "ERRNO_" + std::to_string(err);
}

// A JS Error with `code` (e.g. "EINVAL"), numeric `errno` and `syscall` set,
// shaped like Node's own system errors.
inline Napi::Error ErrnoError(Napi::Env env, const char* syscall, int err) {
  std::string msg = std::string(syscall) + ": " + std::strerror(err) + " (" + ErrnoName(err) + ")";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, ErrnoName(err)));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

// Data pointer and byte length of an ArrayBuffer or any ArrayBuffer view.
// Returns false when `value` is neither.
bool BytesOf(const Napi::Value& value, uint8_t** data, size_t* length);

void InitAffinity(Napi::Env env, Napi::Object exports);
void InitAligned(Napi::Env env, Napi::Object exports);
void InitDirectIo(Napi::Env env, Napi::Object exports);

}  // namespace kos
