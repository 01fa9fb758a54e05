// The credential chain refreshes in one thread at a time, and the other threads go on with
// credentials that are still valid meanwhile (a refresh used to hold the chain's lock
// across the source's call, stalling every worker of a pull or an apply).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include "registry/aws/credentials.h"
#include "util/time.h"

using namespace regpol;

namespace {

std::string iso_in(std::chrono::seconds from_now) {
  return format_timestamp(current_time() + from_now.count() * kMicrosPerSecond);
}

// Sets an environment variable for one test, putting the old value back.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;  // NOLINT(concurrency-mt-unsafe): single-threaded here
    setenv(name.c_str(), value.c_str(), 1);                    // NOLINT(concurrency-mt-unsafe)
  }
  ~ScopedEnv() {
    if (old) setenv(name.c_str(), old->c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
    else unsetenv(name.c_str());                     // NOLINT(concurrency-mt-unsafe)
  }
};

}  // namespace

TEST_CASE("while one thread refreshes credentials, the others use the still-valid ones") {
  auto dir = std::filesystem::temp_directory_path() / ("regpol-cred-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string fifo = (dir / "release").string(), started = (dir / "started").string(), first = (dir / "first").string(),
                    block = (dir / "block").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // Credentials that expire in two minutes: inside the five-minute refresh margin, so every
  // get() after the first wants a refresh. While the file `block` exists, a later run of the
  // process blocks until the test writes to the fifo.
  {
    std::ofstream script(dir / "process.sh");
    script << "#!/bin/sh\n"
           << "if [ -e " << first << " ]; then if [ -e " << block << " ]; then touch " << started << "; read line < " << fifo
           << "; fi; key=AKIDSECOND; else touch " << first
           << "; key=AKIDFIRST; fi\n"
           << "echo \"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"$key\\\", \\\"SecretAccessKey\\\": \\\"s\\\", \\\"Expiration\\\": \\\""
           << iso_in(std::chrono::seconds(120)) << "\\\"}\"\n";
  }
  std::filesystem::permissions(dir / "process.sh", std::filesystem::perms::owner_all);
  {
    std::ofstream config(dir / "config");
    config << "[profile t]\ncredential_process = " << (dir / "process.sh").string() << "\n";
  }
  ScopedEnv config("AWS_CONFIG_FILE", (dir / "config").string());
  ScopedEnv shared("AWS_SHARED_CREDENTIALS_FILE", (dir / "none").string());
  aws::CredentialChain chain(aws::ChainOptions{"t", "us-east-1"});
  aws::Credentials c;
  std::string error;
  REQUIRE_MESSAGE(chain.get(c, error), error);
  CHECK(c.access_key_id == "AKIDFIRST");

  { std::ofstream(block) << ""; }
  auto refresher = std::async(std::launch::async, [&] {
    aws::Credentials mine;
    std::string e;
    bool ok = chain.get(mine, e);
    return ok ? mine.access_key_id : "error: " + e;
  });
  for (int i = 0; i < 2000 && !std::filesystem::exists(started); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(std::filesystem::exists(started));  // the refresh is running, blocked in the process
  auto other = std::async(std::launch::async, [&] {
    aws::Credentials mine;
    std::string e;
    return chain.get(mine, e) ? mine.access_key_id : "error: " + e;
  });
  bool answered_during_refresh = other.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  std::filesystem::remove(block);     // a blocked `other` (the defect) refreshes without waiting next
  { std::ofstream(fifo) << "go\n"; }  // release the refresh
  CHECK(answered_during_refresh);
  CHECK(other.get() == (answered_during_refresh ? "AKIDFIRST" : "AKIDSECOND"));
  CHECK(refresher.get() == "AKIDSECOND");
  std::filesystem::remove_all(dir);
}
