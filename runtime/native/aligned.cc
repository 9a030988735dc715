// Aligned memory: posix_memalign behind an external ArrayBuffer whose
// finalizer frees it. Node Buffers are only 16-byte aligned (NOTES.md), and
// O_DIRECT needs dio_mem_align (512 or 4096), hence this file. Node 20 runs
// the finalizer from a SetImmediate, not during GC, so memory dropped in a
// synchronous loop stays resident until the event loop turns (sweep37 #7);
// runtime/aligned.ts therefore uses this only for alignments larger than both
// the page size and the buffer, and otherwise an aligned window of a V8 buffer.
#include "common.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace kos {
namespace {

Napi::Value AllocAligned(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t size = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
  size_t alignment = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  void* ptr = nullptr;
  int rc = posix_memalign(&ptr, alignment, size);
  if (rc != 0) throw ErrnoError(env, "posix_memalign", rc);
  // Zeroed like Buffer.alloc, so no stale heap bytes ever reach JS or disk.
  std::memset(ptr, 0, size);
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(size));
  return Napi::ArrayBuffer::New(
      env, ptr, size,
      [](Napi::Env finalEnv, void* data, size_t* bytes) {
        std::free(data);
        Napi::MemoryManagement::AdjustExternalMemory(finalEnv, -static_cast<int64_t>(*bytes));
        delete bytes;
      },
      new size_t(size));
}

// The address of a buffer's first byte, so TypeScript can check alignment
// before the kernel answers a bare EINVAL.
Napi::Value AddressOf(const Napi::CallbackInfo& info) {
  uint8_t* data = nullptr;
  size_t length = 0;
  if (!BytesOf(info[0], &data, &length)) {
    throw Napi::TypeError::New(info.Env(), "addressOf expects an ArrayBuffer or a view of one");
  }
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(data)));
}

}  // namespace

void InitAligned(Napi::Env env, Napi::Object exports) {
  exports.Set("allocAligned", Napi::Function::New(env, AllocAligned, "allocAligned"));
  exports.Set("addressOf", Napi::Function::New(env, AddressOf, "addressOf"));
  exports.Set("pageSize", Napi::Number::New(env, static_cast<double>(sysconf(_SC_PAGESIZE))));
}

}  // namespace kos
