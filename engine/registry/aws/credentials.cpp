#include "registry/aws/credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "registry/aws/sigv4.h"
#include "registry/http/http_client.h"
#include "util/read_file.h"

extern char** environ;  // NOLINT: POSIX, for posix_spawn

namespace regpol::aws {

namespace {

using Ini = std::map<std::string, std::map<std::string, std::string>>;

std::string env(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): regpol never sets the environment
  return v ? v : "";
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

// The AWS shared files: [section] lines and key = value pairs; # and ; start comments.
Ini read_ini(const std::string& path) {
  Ini ini;
  ReadFileResult f = read_file_limited(path, std::size_t{1} << 20);
  if (!f.ok) return ini;
  std::istringstream in(f.text);
  std::string line, section;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos || section.empty()) continue;
    ini[section][trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return ini;
}

std::string home_file(const char* override_env, const char* name) {
  std::string p = env(override_env);
  if (!p.empty()) return p;
  std::string home = env("HOME");
  return home.empty() ? "" : home + "/.aws/" + name;
}

std::string profile_name(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::string p = env("AWS_PROFILE");
  return p.empty() ? "default" : p;
}

// The profile's settings: the credentials file's [NAME] over the config file's
// [profile NAME] ([default] for default).
std::map<std::string, std::string> profile_settings(const std::string& name, bool& found) {
  std::map<std::string, std::string> out;
  Ini config = read_ini(home_file("AWS_CONFIG_FILE", "config"));
  Ini creds = read_ini(home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"));
  found = false;
  for (const auto& section : {name == "default" ? std::string("default") : "profile " + name, name}) {
    auto it = config.find(section);
    if (it == config.end()) continue;
    found = true;
    for (const auto& [k, v] : it->second) out[k] = v;
  }
  if (auto it = creds.find(name); it != creds.end()) {
    found = true;
    for (const auto& [k, v] : it->second) out[k] = v;
  }
  return out;
}

std::optional<Micros> parse_expiration(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return kNoTime;
  if (!it->is_string()) return std::nullopt;
  return parse_timestamp(it->get<std::string>());
}

std::string xml_text(const std::string& xml, const std::string& tag) {
  auto open = xml.find("<" + tag + ">");
  if (open == std::string::npos) return "";
  open += tag.size() + 2;
  auto close = xml.find("</" + tag + ">", open);
  return close == std::string::npos ? "" : xml.substr(open, close - open);
}

bool retryable(const http::Response& r) { return r.status == 0 || r.status == 429 || r.status >= 500; }

// ---- the sources ----

// What credential_process may print, and how long it may take: far above any real
// credentials document and any helper's work; past either the process is killed, never waited
// for (a helper that printed too much and then slept held regpol forever).
constexpr std::size_t kMaxProcessOutput = std::size_t{1} << 20;
constexpr int kProcessTimeoutSeconds = 120;

// Runs `command` with /bin/sh (as the AWS CLI does), collecting its standard output; false
// with the reason when it cannot start, prints too much, runs too long or fails.
bool run_credential_process(const std::string& command, const std::string& label, std::string& text, std::string& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return (error = label + ": cannot start credential_process"), false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::string shell = "sh", dash_c = "-c", cmd = command;
  char* argv[] = {shell.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return (error = label + ": cannot start credential_process"), false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kProcessTimeoutSeconds);
  auto ms_left = [&] {
    return static_cast<int>(std::max<long long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count()));
  };
  bool too_large = false, too_slow = false;
  char buf[4096];
  while (true) {
    pollfd pfd{fds[0], POLLIN, 0};
    int ready = poll(&pfd, 1, ms_left());
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      too_slow = ready == 0;
      break;
    }
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxProcessOutput) {
      too_large = true;
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  // It may have closed its output and go on running: wait until the deadline, then kill.
  while (!too_large && !too_slow) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    if (ms_left() == 0) {
      too_slow = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (too_large || too_slow) {
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    error = label + (too_large ? ": credential_process printed more than 1 MiB; it was stopped"
                               : ": credential_process ran longer than " + std::to_string(kProcessTimeoutSeconds) + " s; it was stopped");
    return false;
  }
  if (status != 0) {
    error = label + ": credential_process exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status);
    return false;
  }
  return true;
}

bool from_process(const std::string& command, const std::string& label, Credentials& out, std::string& error) {
  std::string text;
  if (!run_credential_process(command, label, text, error)) return false;
  std::string why;
  if (!parse_process_credentials(text, out, why)) {
    error = label + ": credential_process printed " + why;
    return false;
  }
  out.source = label + " (credential_process)";
  return true;
}

bool from_web_identity(const std::string& role_arn, const std::string& token_file, std::string session, const std::string& region,
                       const std::string& label, Credentials& out, std::string& error) {
  ReadFileResult token = read_file_limited(token_file, std::size_t{1} << 20);
  if (!token.ok) {
    error = label + ": cannot read the web identity token file: " + token.error;
    return false;
  }
  std::string endpoint = env("AWS_ENDPOINT_URL_STS");
  if (endpoint.empty()) endpoint = "https://sts." + (region.empty() ? std::string("us-east-1") : region) + ".amazonaws.com";
  http::Url url;
  if (!http::parse_url(endpoint, url, error) || !http::check_transport(url, false, error)) {
    error = label + ": " + error;
    return false;
  }
  if (session.empty()) session = "regpol-" + std::to_string(current_time() / kMicrosPerSecond);
  std::string t = trim(token.text);
  while (!t.empty() && t.back() == '\n') t.pop_back();
  std::string body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + uri_encode(role_arn, false) +
                     "&RoleSessionName=" + uri_encode(session, false) + "&WebIdentityToken=" + uri_encode(t, false);
  http::Client client;
  http::Response r = http::send_with_retries(
      client,
      [&] {
        http::Request q;
        q.method = "POST";
        q.url = endpoint;
        q.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
        q.body = body;
        q.timeout_ms = 10000;
        return q;
      },
      retryable, http::Backoff{4, std::chrono::milliseconds(200), std::chrono::milliseconds(2000)});
  if (r.status != 200) {
    std::string code = xml_text(r.body, "Code");
    error = label + ": STS AssumeRoleWithWebIdentity failed: " + (r.status ? "HTTP " + std::to_string(r.status) : r.error) +
            (code.empty() ? "" : " (" + code + ")");
    return false;
  }
  std::string why;
  if (!parse_sts_web_identity_response(r.body, out, why)) {
    error = label + ": STS answered " + why;
    return false;
  }
  out.source = label;
  return true;
}

bool from_container(Credentials& out, std::string& error) {
  std::string relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  std::string url_text = !relative.empty() ? "http://169.254.170.2" + relative : full;
  http::Url url;
  if (!http::parse_url(url_text, url, error)) {
    error = "container credentials: " + error;
    return false;
  }
  // As the SDKs: plain http only to the ECS / EKS Pod Identity agents or loopback.
  bool allowed = url.scheme == "https" || http::is_loopback_host(url.host) || url.host == "169.254.170.2" || url.host == "169.254.170.23" ||
                 url.host == "fd00:ec2::23";
  if (!allowed) {
    error = "container credentials: " + url.host + " is not an allowed host for AWS_CONTAINER_CREDENTIALS_FULL_URI";
    return false;
  }
  std::string auth = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  if (std::string file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) {
    ReadFileResult f = read_file_limited(file, 1 << 16);
    if (!f.ok) {
      error = "container credentials: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: " + f.error;
      return false;
    }
    auth = trim(f.text);
    while (!auth.empty() && auth.back() == '\n') auth.pop_back();
  }
  http::Client client;
  http::Response r = http::send_with_retries(
      client,
      [&] {
        http::Request q;
        q.url = url_text;
        if (!auth.empty()) q.headers.emplace_back("Authorization", auth);
        q.timeout_ms = 5000;
        q.connect_timeout_ms = 2000;
        return q;
      },
      retryable, http::Backoff{3, std::chrono::milliseconds(100), std::chrono::milliseconds(1000)});
  if (r.status != 200) {
    error = "container credentials: " + (r.status ? "HTTP " + std::to_string(r.status) : r.error);
    return false;
  }
  std::string why;
  if (!parse_container_credentials(r.body, out, why)) {
    error = "container credentials: the endpoint answered " + why;
    return false;
  }
  out.source = "container credentials";
  return true;
}

bool from_instance_metadata(Credentials& out, std::string& error) {
  std::string base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (base.empty()) base = "http://169.254.169.254";
  while (!base.empty() && base.back() == '/') base.pop_back();
  http::Client client;
  auto get = [&](const std::string& path, const std::string& token) {
    http::Request q;
    q.url = base + path;
    if (!token.empty()) q.headers.emplace_back("X-aws-ec2-metadata-token", token);
    q.timeout_ms = 2000;
    q.connect_timeout_ms = 1000;
    return client.send(q);
  };
  http::Request put;
  put.method = "PUT";
  put.url = base + "/latest/api/token";
  put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  put.timeout_ms = 2000;
  put.connect_timeout_ms = 1000;
  http::Response t = client.send(put);
  std::string token;
  if (t.status == 200) token = t.body;
  else if (t.status == 0) {
    error = "instance metadata: " + t.error;
    return false;
  } else if (t.status != 404 && t.status != 405) {  // IMDSv1 only where the token call does not exist
    error = "instance metadata: the IMDSv2 token request answered HTTP " + std::to_string(t.status);
    return false;
  }
  http::Response role = get("/latest/meta-data/iam/security-credentials/", token);
  if (role.status != 200) {
    error = "instance metadata: no instance role (" + (role.status ? "HTTP " + std::to_string(role.status) : role.error) + ")";
    return false;
  }
  std::string name = trim(role.body.substr(0, role.body.find('\n')));
  http::Response c = get("/latest/meta-data/iam/security-credentials/" + name, token);
  std::string why;
  if (c.status != 200 || !parse_container_credentials(c.body, out, why)) {
    error = "instance metadata: role `" + name + "`: " + (c.status != 200 ? "HTTP " + std::to_string(c.status) : why);
    return false;
  }
  out.source = "instance metadata (role " + name + ")";
  return true;
}

}  // namespace

std::string resolve_region(const std::string& flag, const std::string& profile) {
  if (!flag.empty()) return flag;
  if (std::string r = env("AWS_REGION"); !r.empty()) return r;
  if (std::string r = env("AWS_DEFAULT_REGION"); !r.empty()) return r;
  bool found = false;
  auto settings = profile_settings(profile_name(profile), found);
  auto it = settings.find("region");
  return it == settings.end() ? "" : it->second;
}

bool resolve_max_attempts(const std::string& profile, int fallback, int& out, std::string& error) {
  std::string text = env("AWS_MAX_ATTEMPTS"), where = "AWS_MAX_ATTEMPTS";
  if (text.empty()) {
    bool found = false;
    auto settings = profile_settings(profile_name(profile), found);
    auto it = settings.find("max_attempts");
    if (it == settings.end()) {
      out = fallback;
      return true;
    }
    text = it->second;
    where = "the profile's max_attempts";
  }
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > kMaxAttemptsBound) {
    error = where + ": `" + text + "` is not a whole number from 1 to " + std::to_string(kMaxAttemptsBound);
    return false;
  }
  out = value;
  return true;
}

namespace {

// The members both JSON answers share: AccessKeyId and SecretAccessKey strings, the session
// token under `token_key` (required or not), and an optional RFC 3339 Expiration.
bool credentials_from(const nlohmann::json& j, const char* token_key, bool token_required, Credentials& out, std::string& error) {
  for (const char* k : {"AccessKeyId", "SecretAccessKey"}) {
    if (!j.contains(k) || !j[k].is_string()) {
      error = std::string("no ") + k + " string";
      return false;
    }
  }
  bool has_token = j.contains(token_key) && j[token_key].is_string();
  if (token_required && !has_token) {
    error = std::string("no ") + token_key + " string";
    return false;
  }
  auto exp = parse_expiration(j, "Expiration");
  if (!exp) {
    error = "an Expiration that is not an RFC 3339 time";
    return false;
  }
  out = {};
  out.access_key_id = j["AccessKeyId"].get<std::string>();
  out.secret_access_key = j["SecretAccessKey"].get<std::string>();
  if (has_token) out.session_token = j[token_key].get<std::string>();
  out.expiration = *exp;
  return true;
}

}  // namespace

bool parse_process_credentials(const std::string& text, Credentials& out, std::string& error) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "no JSON object";
    return false;
  }
  if (!j.contains("Version") || !j["Version"].is_number_integer() || j["Version"].get<long long>() != 1) {
    error = "an unsupported Version (expected 1)";
    return false;
  }
  return credentials_from(j, "SessionToken", false, out, error);
}

bool parse_container_credentials(const std::string& text, Credentials& out, std::string& error) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "no JSON object";
    return false;
  }
  if (j.contains("Code") && !(j["Code"].is_string() && j["Code"] == "Success")) {
    error = "code " + (j["Code"].is_string() ? j["Code"].get<std::string>() : std::string("?"));
    return false;
  }
  return credentials_from(j, "Token", true, out, error);
}

bool parse_sts_web_identity_response(const std::string& xml, Credentials& out, std::string& error) {
  std::string creds = xml_text(xml, "Credentials");
  out = {};
  out.access_key_id = xml_text(creds, "AccessKeyId");
  out.secret_access_key = xml_text(creds, "SecretAccessKey");
  out.session_token = xml_text(creds, "SessionToken");
  auto exp = parse_timestamp(xml_text(creds, "Expiration"));
  if (out.access_key_id.empty() || out.secret_access_key.empty() || out.session_token.empty() || !exp) {
    error = "no Credentials (AccessKeyId, SecretAccessKey, SessionToken, Expiration)";
    return false;
  }
  out.expiration = *exp;
  return true;
}

// Temporary credentials are resolved again this long before they expire.
constexpr Micros kRefreshMargin = Micros{300} * kMicrosPerSecond;

// Credentials this close to their expiry are not handed out while a refresh runs.
constexpr Micros kUsableMargin = Micros{30} * kMicrosPerSecond;

bool CredentialChain::get(Credentials& out, std::string& error) {
  auto fresh_enough = [&](Micros margin) {
    return cached_ && (cached_->expiration == kNoTime || cached_->expiration - current_time() > margin);
  };
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // While one thread refreshes (sources call processes and endpoints: seconds), the others
    // go on with the credentials they have, as long as those are still valid.
    if (fresh_enough(kRefreshMargin) || (refreshing_ && fresh_enough(kUsableMargin))) {
      out = *cached_;
      return true;
    }
  }
  std::lock_guard<std::mutex> one_refresh(refresh_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fresh_enough(kRefreshMargin)) {  // another thread refreshed while this one waited
      out = *cached_;
      return true;
    }
    refreshing_ = true;
  }
  Credentials fresh;
  bool ok = resolve(fresh, error);
  std::lock_guard<std::mutex> lock(mutex_);
  refreshing_ = false;
  if (!ok) return false;
  cached_ = fresh;
  out = fresh;
  return true;
}

bool CredentialChain::resolve(Credentials& out, std::string& error) {
  std::vector<std::string> tried;
  std::string why;
  bool explicit_profile = !options_.profile.empty();
  if (!explicit_profile) {
    std::string id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
    if (!id.empty() && !secret.empty()) {
      out = {id, secret, env("AWS_SESSION_TOKEN"), kNoTime, "environment"};
      return true;
    }
    if (!id.empty() || !secret.empty()) {
      error = "credentials: only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set";
      return false;
    }
    std::string role = env("AWS_ROLE_ARN"), token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
    if (!role.empty() && !token_file.empty()) {
      if (from_web_identity(role, token_file, env("AWS_ROLE_SESSION_NAME"), options_.region, "web identity (AWS_ROLE_ARN)", out, error))
        return true;
      return false;
    }
  }
  std::string name = profile_name(options_.profile);
  bool found = false;
  auto p = profile_settings(name, found);
  std::string label = "profile `" + name + "`";
  if (found) {
    if (p.count("aws_access_key_id") && p.count("aws_secret_access_key")) {
      out = {p["aws_access_key_id"], p["aws_secret_access_key"], p.count("aws_session_token") ? p["aws_session_token"] : "", kNoTime, label};
      return true;
    }
    if (p.count("role_arn") && p.count("web_identity_token_file")) {
      return from_web_identity(p["role_arn"], p["web_identity_token_file"], p.count("role_session_name") ? p["role_session_name"] : "",
                               options_.region, label + " (web identity)", out, error);
    }
    if (p.count("credential_process")) return from_process(p["credential_process"], label, out, error);
    if (p.count("role_arn")) {
      error = "credentials: " + label + " assumes a role from another profile (source_profile), which regpol does not do; "
              "use credential_process or the environment";
      return false;
    }
  }
  if (explicit_profile) {
    error = "credentials: " + label + (found ? " has no credentials regpol can use" : " is not in the AWS config or credentials file");
    return false;
  }
  tried.emplace_back("environment (AWS_ACCESS_KEY_ID)");
  tried.push_back(label + (found ? " (no keys, no credential_process)" : " (not found)"));
  if (!env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").empty() || !env("AWS_CONTAINER_CREDENTIALS_FULL_URI").empty()) {
    if (from_container(out, why)) return true;
    error = "credentials: " + why;
    return false;
  }
  tried.emplace_back("container credentials (not configured)");
  if (env("AWS_EC2_METADATA_DISABLED") != "true") {
    if (from_instance_metadata(out, why)) return true;
    tried.push_back(why);
  } else {
    tried.emplace_back("instance metadata (disabled)");
  }
  error = "credentials: none found; tried ";
  for (std::size_t i = 0; i < tried.size(); ++i) error += (i ? "; " : "") + tried[i];
  return false;
}

}  // namespace regpol::aws
