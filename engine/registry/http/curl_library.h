#pragma once
// libcurl, loaded when the first HTTP client starts rather than when regpol starts. Linked
// in the ordinary way, libcurl and what it pulls in (a TLS library, Kerberos, LDAP) cost
// every command about 8 ms of dynamic loading and initialisation, which is most of a
// pre-commit lint's or a `regpol check`'s time, although only the commands that talk to a
// registry use it.
#include <curl/curl.h>

#include <string>

namespace regpol::http {

struct CurlLibrary {
  CURLcode (*global_init)(long flags) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  void (*easy_reset)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  std::string error;  // why the library could not be loaded ("" when it was)
};

// Loaded (and curl_global_init run) once per process; thread-safe.
const CurlLibrary& curl_library();

}  // namespace regpol::http
