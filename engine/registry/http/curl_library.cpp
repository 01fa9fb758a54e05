#include "registry/http/curl_library.h"

#include <dlfcn.h>

#include <mutex>

namespace regpol::http {

namespace {

// The soname of libcurl's ABI 4, which every Debian libcurl4 package provides.
constexpr const char* kLibcurl = "libcurl.so.4";

template <typename F>
bool bind(void* handle, const char* name, F& slot, std::string& error) {
  void* symbol = dlsym(handle, name);
  if (!symbol) {
    error = std::string(kLibcurl) + " has no " + name;
    return false;
  }
  // dlsym's void* to a function pointer: what POSIX requires dlsym to support.
  slot = reinterpret_cast<F>(symbol);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
  return true;
}

CurlLibrary load() {
  CurlLibrary lib;
  void* handle = dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();  // NOLINT(concurrency-mt-unsafe): runs once, inside curl_library()'s static initialiser
    lib.error = std::string("cannot load ") + kLibcurl + " (install libcurl4): " + (why ? why : "unknown error");
    return lib;
  }
  // Never closed: the library stays for the life of the process, as a linked one would.
  const bool ok = bind(handle, "curl_global_init", lib.global_init, lib.error) && bind(handle, "curl_easy_init", lib.easy_init, lib.error) &&
                  bind(handle, "curl_easy_cleanup", lib.easy_cleanup, lib.error) && bind(handle, "curl_easy_reset", lib.easy_reset, lib.error) &&
                  bind(handle, "curl_easy_setopt", lib.easy_setopt, lib.error) && bind(handle, "curl_easy_perform", lib.easy_perform, lib.error) &&
                  bind(handle, "curl_easy_getinfo", lib.easy_getinfo, lib.error) &&
                  bind(handle, "curl_easy_strerror", lib.easy_strerror, lib.error) &&
                  bind(handle, "curl_slist_append", lib.slist_append, lib.error) &&
                  bind(handle, "curl_slist_free_all", lib.slist_free_all, lib.error);
  if (!ok) return lib;
  if (lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) lib.error = std::string(kLibcurl) + ": curl_global_init failed";
  return lib;
}

}  // namespace

const CurlLibrary& curl_library() {
  static const CurlLibrary lib = load();  // C++11 statics: initialised once, thread-safe
  return lib;
}

}  // namespace regpol::http
