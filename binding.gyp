{
  "targets": [
    {
      "target_name": "kos_native",
      "sources": [
        "runtime/native/addon.cc",
        "runtime/native/affinity.cc",
        "runtime/native/aligned.cc",
        "runtime/native/directio.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"]
    }
  ]
}
