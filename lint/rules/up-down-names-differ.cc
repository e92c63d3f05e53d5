// up-down-names-differ: dbroll (like golang-migrate and popx) pairs an up and
// a down by version, so `1_add_idx.up.sql` and `1_drop_idx.down.sql` run as
// one migration; a reader pairs files by name and may not see it.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {

// The name part of a flat or Flyway file name ("1_add_idx.autocommit.up.sql"
// -> "add_idx", "U1.2__a_y.sql" -> "a_y"); "" for a directory migration's
// up.sql / down.sql, whose names cannot differ.
std::string NameOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
  if (file.rfind("up.", 0) == 0 || file.rfind("down.", 0) == 0) return "";
  if ((file[0] == 'V' || file[0] == 'U') && file.find("__") != std::string::npos) {
    const size_t b = file.find("__") + 2;
    return file.substr(b, file.size() >= b + 4 ? file.size() - 4 - b : 0);
  }
  const size_t us = file.find('_');
  if (us == std::string::npos) return "";
  const std::string rest = file.substr(us + 1);
  return rest.substr(0, rest.find('.'));
}

void Check(const RuleContext& ctx) {
  const MigrationFacts& m = ctx.migration;
  if (!m.has_down || !m.migration->down || m.migration->up.path == m.migration->down->path) return;
  const std::string up = NameOf(m.migration->up.path), down = NameOf(m.migration->down->path);
  if (up.empty() || down.empty() || up == down) return;
  ctx.ReportAt(*m.up.script, 1, 1,
               m.migration->up.path + " and " + m.migration->down->path + " pair by version " + m.migration->version +
                   " although their names differ (" + up + ", " + down + ")",
               "rename one of them so the names match; dbroll pairs them by version either way");
}

}  // namespace
extern const Rule kUpDownNamesDifferRule = {"up-down-names-differ", Severity::kWarning,
                                            "An up and a down of one version with different names", Check};
}  // namespace dbroll::lint
