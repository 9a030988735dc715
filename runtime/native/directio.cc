// Direct I/O support: pread/pwrite off the main thread (Napi::AsyncWorker on
// libuv's thread pool), statx's direct-I/O alignment fields, posix_fadvise
// and readahead. Files are opened in TypeScript with fs.constants.O_DIRECT;
// a file descriptor is an ordinary integer on both sides.
#include "common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace kos {
namespace {

// One positioned read or write. The buffer is held by a persistent reference
// so the GC cannot free it while the kernel is copying into it.
class PositionedIo : public Napi::AsyncWorker {
 public:
  PositionedIo(Napi::Env env, bool write, int fd, Napi::Value buffer, uint8_t* data, size_t length, int64_t offset)
      : Napi::AsyncWorker(env, write ? "kos:pwrite" : "kos:pread"),
        deferred_(Napi::Promise::Deferred::New(env)),
        write_(write), fd_(fd), data_(data), length_(length), offset_(offset) {
    buffer_ = Napi::Persistent(buffer.As<Napi::Object>());
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    ssize_t n;
    do {
      n = write_ ? pwrite(fd_, data_, length_, offset_) : pread(fd_, data_, length_, offset_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) err_ = errno; else done_ = n;
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (err_ != 0) {
      deferred_.Reject(ErrnoError(env, write_ ? "pwrite" : "pread", err_).Value());
    } else {
      deferred_.Resolve(Napi::Number::New(env, static_cast<double>(done_)));
    }
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference buffer_;
  bool write_;
  int fd_;
  uint8_t* data_;
  size_t length_;
  int64_t offset_;
  int err_ = 0;
  ssize_t done_ = 0;
};

// pread(fd, view, offset) / pwrite(fd, view, offset) -> Promise<bytes>.
Napi::Value Positioned(const Napi::CallbackInfo& info, bool write) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  uint8_t* data = nullptr;
  size_t length = 0;
  if (!BytesOf(info[1], &data, &length)) {
    throw Napi::TypeError::New(env, "expected an ArrayBuffer or a view of one");
  }
  int64_t offset = info[2].As<Napi::Number>().Int64Value();
  auto* worker = new PositionedIo(env, write, fd, info[1], data, length, offset);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value Pread(const Napi::CallbackInfo& info) { return Positioned(info, false); }
Napi::Value Pwrite(const Napi::CallbackInfo& info) { return Positioned(info, true); }

// statx on an open fd. `dioSupported` is true when the kernel filled
// STATX_DIOALIGN; then memAlign/offsetAlign of 0 mean "this file refuses
// O_DIRECT". When the kernel lacks STATX_DIOALIGN the TypeScript side falls
// back to the block device's logical block size, then st_blksize.
Napi::Value DioAlignment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct statx stx {};
  if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_DIOALIGN, &stx) != 0) {
    throw ErrnoError(env, "statx", errno);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("dioSupported", Napi::Boolean::New(env, (stx.stx_mask & STATX_DIOALIGN) != 0));
  out.Set("memAlign", Napi::Number::New(env, stx.stx_dio_mem_align));
  out.Set("offsetAlign", Napi::Number::New(env, stx.stx_dio_offset_align));
  out.Set("blksize", Napi::Number::New(env, stx.stx_blksize));
  out.Set("devMajor", Napi::Number::New(env, stx.stx_dev_major));
  out.Set("devMinor", Napi::Number::New(env, stx.stx_dev_minor));
  return out;
}

// posix_fadvise returns the error number instead of setting errno.
Napi::Value Fadvise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int64_t offset = info[1].As<Napi::Number>().Int64Value();
  int64_t length = info[2].As<Napi::Number>().Int64Value();
  int advice = info[3].As<Napi::Number>().Int32Value();
  int rc = posix_fadvise(fd, offset, length, advice);
  if (rc != 0) throw ErrnoError(env, "posix_fadvise", rc);
  return env.Undefined();
}

Napi::Value Readahead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int64_t offset = info[1].As<Napi::Number>().Int64Value();
  int64_t count = info[2].As<Napi::Number>().Int64Value();
  if (readahead(fd, offset, static_cast<size_t>(count)) != 0) throw ErrnoError(env, "readahead", errno);
  return env.Undefined();
}

}  // namespace

void InitDirectIo(Napi::Env env, Napi::Object exports) {
  exports.Set("pread", Napi::Function::New(env, Pread, "pread"));
  exports.Set("pwrite", Napi::Function::New(env, Pwrite, "pwrite"));
  exports.Set("dioAlignment", Napi::Function::New(env, DioAlignment, "dioAlignment"));
  exports.Set("fadvise", Napi::Function::New(env, Fadvise, "fadvise"));
  exports.Set("readahead", Napi::Function::New(env, Readahead, "readahead"));
  // Advice values are distinct numbers, not bit flags: pass exactly one.
  Napi::Object advice = Napi::Object::New(env);
  advice.Set("normal", Napi::Number::New(env, POSIX_FADV_NORMAL));
  advice.Set("random", Napi::Number::New(env, POSIX_FADV_RANDOM));
  advice.Set("sequential", Napi::Number::New(env, POSIX_FADV_SEQUENTIAL));
  advice.Set("willneed", Napi::Number::New(env, POSIX_FADV_WILLNEED));
  advice.Set("dontneed", Napi::Number::New(env, POSIX_FADV_DONTNEED));
  advice.Set("noreuse", Napi::Number::New(env, POSIX_FADV_NOREUSE));
  exports.Set("fadviseValues", advice);
}

}  // namespace kos
