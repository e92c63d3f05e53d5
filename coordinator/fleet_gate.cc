// [fleet] canary_gate: an HTTP health URL or a shell command.
#include "coordinator/internal.h"
#include "dbroll/fleet.h"
#include "engine/fleet_internal.h"

namespace dbroll {

std::function<Status()> NewFleetCanaryGate(const std::string& gate, const std::string& dir) {
  if (gate.rfind("http://", 0) == 0 || gate.rfind("https://", 0) == 0) {
    return [gate]() -> Status {
      const internal::HttpAnswer a = internal::HttpGet(gate, std::chrono::seconds(30), 200);
      if (a.http >= 200 && a.http < 300) return Status::Ok();
      std::string body = a.body;
      for (char& c : body) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      return Status(Code::kCheckFailed, internal::ShownUrl(gate) + " answered " +
                                            (a.http == 0 ? a.error : "HTTP " + std::to_string(a.http)) +
                                            (body.empty() ? "" : " \"" + body + "\""));
    };
  }
  return [gate, dir]() -> Status {
    auto r = internal::RunShell(gate, dir, true);
    if (!r.ok()) return Status(Code::kCheckFailed, r.status().message());
    if (r->exit_code == 0) return Status::Ok();
    std::string out = r->output;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    if (out.size() > 500) out = "..." + out.substr(out.size() - 500);
    return Status(Code::kCheckFailed, "`" + gate + "` exited with " + std::to_string(r->exit_code) +
                                          (out.empty() ? "" : ": " + out));
  };
}

}  // namespace dbroll
