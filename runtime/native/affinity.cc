// CPU affinity: sched_getaffinity / sched_setaffinity for one thread id
// (0 = the calling thread), sched_getcpu and gettid. Iterating every thread
// of the process is done in TypeScript (runtime/affinity.ts) over
// /proc/self/task, so this file stays a thin syscall layer.
#include "common.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

namespace kos {
namespace {

// Large enough for any machine the kernel reports; CPU_SETSIZE (1024) is the
// floor because glibc's fixed cpu_set_t uses it.
size_t MaxCpus() {
  long conf = sysconf(_SC_NPROCESSORS_CONF);
  size_t n = conf > 0 ? static_cast<size_t>(conf) : 0;
  return n > CPU_SETSIZE ? n : CPU_SETSIZE;
}

Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t tid = info.Length() > 0 ? info[0].As<Napi::Number>().Int32Value() : 0;
  size_t max = MaxCpus();
  cpu_set_t* set = CPU_ALLOC(max);
  size_t size = CPU_ALLOC_SIZE(max);
  CPU_ZERO_S(size, set);
  if (sched_getaffinity(tid, size, set) != 0) {
    int err = errno;
    CPU_FREE(set);
    throw ErrnoError(env, "sched_getaffinity", err);
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  for (size_t cpu = 0; cpu < max; cpu++) {
    if (CPU_ISSET_S(cpu, size, set)) out.Set(k++, Napi::Number::New(env, static_cast<double>(cpu)));
  }
  CPU_FREE(set);
  return out;
}

Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t tid = info[0].As<Napi::Number>().Int32Value();
  Napi::Array cpus = info[1].As<Napi::Array>();
  size_t max = MaxCpus();
  cpu_set_t* set = CPU_ALLOC(max);
  size_t size = CPU_ALLOC_SIZE(max);
  CPU_ZERO_S(size, set);
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    int64_t cpu = cpus.Get(i).As<Napi::Number>().Int64Value();
    if (cpu < 0 || static_cast<size_t>(cpu) >= max) {
      CPU_FREE(set);
      throw ErrnoError(env, "sched_setaffinity", EINVAL);
    }
    CPU_SET_S(static_cast<size_t>(cpu), size, set);
  }
  int rc = sched_setaffinity(tid, size, set);
  int err = errno;
  CPU_FREE(set);
  if (rc != 0) throw ErrnoError(env, "sched_setaffinity", err);
  return env.Undefined();
}

Napi::Value CurrentCpu(const Napi::CallbackInfo& info) {
  int cpu = sched_getcpu();
  if (cpu < 0) throw ErrnoError(info.Env(), "sched_getcpu", errno);
  return Napi::Number::New(info.Env(), cpu);
}

Napi::Value GetTid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(syscall(SYS_gettid)));
}

}  // namespace

void InitAffinity(Napi::Env env, Napi::Object exports) {
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity, "setAffinity"));
  exports.Set("currentCpu", Napi::Function::New(env, CurrentCpu, "currentCpu"));
  exports.Set("gettid", Napi::Function::New(env, GetTid, "gettid"));
  exports.Set("configuredCpus", Napi::Number::New(env, static_cast<double>(sysconf(_SC_NPROCESSORS_CONF))));
}

}  // namespace kos
