// Helpers shared by the coordinator's source files. Internal.
#ifndef DBROLL_COORDINATOR_INTERNAL_H_
#define DBROLL_COORDINATOR_INTERNAL_H_

#include <chrono>
#include <optional>
#include <cstddef>
#include <string>

#include "dbroll/deploy_store.h"

namespace dbroll::internal {

bool IsBlueGreen(const DeployRecord& d);
// This machine's hostname, as recorded with the deploy slot and hook.
std::string HostName();
// True when process `pid` (a process group when negative) is certainly gone.
bool Gone(long long pid);
// True when the persisted step list of `d` holds `step` ("switch", ...).
bool HasStep(const DeployRecord& d, const std::string& step);
// "2026-11-26T08:55:01.123Z" -> time point; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> ParseUtc(const std::string& text);

struct HttpAnswer {
  long http = 0;      // 0 when no HTTP answer came
  std::string error;  // curl's reason when http == 0 (never the URL)
  std::string body;   // the first bytes
};
// GETs `url` keeping at most `max_body` bytes of the answer.
HttpAnswer HttpGet(const std::string& url, std::chrono::milliseconds timeout, size_t max_body);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string UrlEncode(const std::string& text);
// scheme://host[:port]/path of `url`: no credentials, no query string.
std::string ShownUrl(const std::string& url);

}  // namespace dbroll::internal

#endif  // DBROLL_COORDINATOR_INTERNAL_H_
