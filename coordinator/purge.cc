// [deploy] purge_after: the coordinator drops the keep-data archives no
// rollback of the current release needs, once that release stayed healthy.
#include <chrono>
#include <string>

#include "coordinator/internal.h"
#include "dbroll/coordinator.h"
#include "dbroll/keep_data.h"
#include "dbroll/migration.h"

namespace dbroll {

void Coordinator::PurgeAfterHealthy() {
  if (!options_.purge_after) return;
  auto newest = Newest();
  if (!newest.ok()) return;
  const DeployRecord& d = newest.value();
  // Only a release that is healthy now: a deploy that failed, was rolled
  // back, stopped half way or awaits approval may need every archive, and so
  // may a team that froze deploys.
  if (d.state != DeployState::kSucceeded) return;
  auto freeze = engine_->deploys().GetFreeze();
  if (!freeze.ok() || freeze->has_value()) return;
  const auto since = internal::ParseUtc(d.finished_at);
  const auto now = options_.now ? options_.now() : std::chrono::system_clock::now();
  if (!since || now - *since < *options_.purge_after) return;
  // A rollback of the current release takes back the versions it applied
  // (above target_schema) and restores their archives: those stay. What the
  // releases before it applied is at or below the previous release's version.
  if (d.previous_release.empty() || d.target_schema.empty()) return;
  auto upto = engine_->ReleaseVersion(d.previous_release);
  if (!upto.ok() || upto->empty() || CompareVersions(*upto, d.target_schema) > 0) {
    if (!upto.ok() && parts_.observer) {
      parts_.observer->OnWarning(d, "[deploy] purge_after: no keep-data archive was purged: " +
                                        upto.status().message());
    }
    return;
  }
  PurgeOptions o;
  o.before_release = d.previous_release;
  auto purged = PurgeArchives(*engine_, o);
  const std::string what = "the keep-data archives of versions up to " + *upto + " (release " + d.previous_release +
                           ", before " + d.release + ", healthy since " + d.finished_at + ")";
  if (!purged.ok()) {
    const std::string text = "[deploy] purge_after: purging " + what + " failed: " + purged.status().message() +
                             " -- the deploy is not affected; the next deploy tries again";
    Log(d, "deploy:purge", purged.status(), text);
    if (parts_.observer) parts_.observer->OnWarning(d, text);
    return;
  }
  if (purged->empty()) return;
  std::string list;
  for (const ArchiveInfo& a : purged.value()) {
    list += (list.empty() ? "" : ", ") + a.version + " " + a.table + (a.columns.empty() ? "" : "." + a.columns) +
            " (" + std::to_string(a.rows) + " rows, " + a.archive + ")";
  }
  Log(d, "deploy:purge", Status::Ok(), "[deploy] purge_after: purged " + what + ": " + list);
  if (parts_.observer) parts_.observer->OnPurge(d, purged.value());
}

}  // namespace dbroll
