// Entry point of the kos native addon. Each area registers its own functions.
#include "common.h"

namespace kos {

bool BytesOf(const Napi::Value& value, uint8_t** data, size_t* length) {
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer ab = value.As<Napi::ArrayBuffer>();
    *data = static_cast<uint8_t*>(ab.Data());
    *length = ab.ByteLength();
    return true;
  }
  if (value.IsTypedArray()) {
    Napi::TypedArray ta = value.As<Napi::TypedArray>();
    *data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    *length = ta.ByteLength();
    return true;
  }
  if (value.IsDataView()) {
    Napi::DataView dv = value.As<Napi::DataView>();
    *data = static_cast<uint8_t*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
    *length = dv.ByteLength();
    return true;
  }
  return false;
}

}  // namespace kos

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  kos::InitAffinity(env, exports);
  kos::InitAligned(env, exports);
  kos::InitDirectIo(env, exports);
  return exports;
}

NODE_API_MODULE(kos_native, Init)
