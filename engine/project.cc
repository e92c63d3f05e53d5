// Project files around a run: scaffolding, the schema file, the deploy gate,
// release tags. The CLI only parses flags and prints what these return.
#include "dbroll/project.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "dbroll/schema.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

// Decimal strings of any length, compared and incremented as numbers: a file
// named with 30 leading digits must not overflow anything.
std::string StripZeros(const std::string& d) {
  size_t i = d.find_first_not_of('0');
  return i == std::string::npos ? "" : d.substr(i);
}

bool DecimalLess(const std::string& a, const std::string& b) {
  const std::string x = StripZeros(a), y = StripZeros(b);
  return x.size() != y.size() ? x.size() < y.size() : x < y;
}

std::string DecimalPlusOne(std::string d) {
  int i = static_cast<int>(d.size()) - 1;
  while (i >= 0 && d[i] == '9') d[i--] = '0';
  if (i < 0) return "1" + d;
  ++d[i];
  return d;
}

std::string LeadingDigits(const std::string& f) {
  size_t n = 0;
  while (n < f.size() && std::isdigit(static_cast<unsigned char>(f[n]))) ++n;
  return f.substr(0, n);
}

// Writes `text` to a file that must not exist yet.
Status CreateNew(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(Code::kInvalidArgument,
                  path.string() + ": cannot create: " + std::strerror(errno) + " -- nothing was overwritten");
  }
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Status(Code::kInvalidArgument, path.string() + ": cannot write: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status(Code::kInvalidArgument, path.string() + ": cannot write: " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Result<std::string> NextVersion(const std::string& migrations_dir, const std::string& versioning) {
  // Every version already taken (as numbers: "0004" and "4" are the same).
  std::vector<std::string> taken;
  std::error_code ec;
  if (fs::exists(migrations_dir, ec)) {
    for (fs::directory_iterator it(migrations_dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string digits = LeadingDigits(it->path().filename().string());
      if (!digits.empty()) taken.push_back(std::move(digits));
    }
  }
  if (ec) return Status(Code::kInvalidArgument, migrations_dir + ": cannot read: " + ec.message());
  auto is_taken = [&](const std::string& v) {
    return std::any_of(taken.begin(), taken.end(),
                       [&](const std::string& t) { return !DecimalLess(t, v) && !DecimalLess(v, t); });
  };
  std::string version;
  if (versioning == "timestamp") {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    version = buf;
    // Two new migrations in one second: the next free number, never the same one.
    while (is_taken(version)) version = DecimalPlusOne(version);
    return version;
  }
  std::string max = "0";
  size_t width = 4;
  for (const auto& t : taken) {
    if (DecimalLess(max, t)) max = t;
    width = std::max(width, t.size());
  }
  version = DecimalPlusOne(StripZeros(max).empty() ? "0" : StripZeros(max));
  if (version.size() < width) version = std::string(width - version.size(), '0') + version;
  return version;
}

Result<NewMigration> CreateMigration(const Config& config, const std::string& raw_name) {
  std::string name = raw_name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  const fs::path dir = fs::path(config.engine.base_dir) / config.engine.migrations_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(Code::kInvalidArgument, dir.string() + ": cannot create: " + ec.message());
  auto version = NextVersion(dir.string(), config.engine.versioning);
  if (!version.ok()) return version.status();
  const std::string id = version.value() + "_" + name;
  const fs::path m = dir / id;
  if (::mkdir(m.c_str(), 0755) != 0) {
    return Status(Code::kInvalidArgument,
                  m.string() + ": cannot create: " + std::strerror(errno) + " -- nothing was overwritten; try again");
  }
  NewMigration out{version.value(), (m / "up.sql").string(), (m / "down.sql").string()};
  DBROLL_RETURN_IF_ERROR(CreateNew(out.up_path, "-- " + id + ": up\n"));
  DBROLL_RETURN_IF_ERROR(CreateNew(out.down_path, "-- " + id + ": down (undo everything up.sql does)\n"));
  return out;
}

Status InitProject(const std::string& dir, const std::string& database_url, std::vector<std::string>* created) {
  const fs::path cfg = fs::path(dir) / "dbroll.toml";
  const fs::path migrations = fs::path(dir) / "migrations";
  std::error_code ec;
  fs::create_directories(migrations, ec);
  if (ec) return Status(Code::kInvalidArgument, migrations.string() + ": " + ec.message());
  const bool exists = fs::exists(cfg, ec);
  if (exists || ec) {
    return Status(Code::kInvalidArgument,
                  cfg.string() + (exists ? ": already exists -- edit it instead" : ": " + ec.message()));
  }
  DBROLL_RETURN_IF_ERROR(CreateNew(cfg,
                                   "# dbroll configuration -- see docs/config.md\n"
                                   "[database]\n"
                                   "# DBROLL_URL or DATABASE_URL override this; --url overrides both.\n"
                                   "url = \"" +
                                       database_url +
                                       "\"\n\n"
                                       "[migrations]\n"
                                       "dir = \"migrations\"\n"
                                       "table = \"dbroll_history\"\n"
                                       "versioning = \"sequence\"   # or \"timestamp\"\n"));
  if (created) {
    created->push_back(cfg.string());
    created->push_back(migrations.string() + "/");
  }
  return Status::Ok();
}

Status ReplaceFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return Status(Code::kInvalidArgument, tmp + ": cannot write -- check the directory exists");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status(Code::kInvalidArgument, path + ": cannot replace: " + ec.message());
  return Status::Ok();
}

Status UpdateSchemaFile(Engine& engine, const Config& config) {
  const std::string file = config.Get("migrations", "schema_file");
  if (file.empty()) return Status::Ok();
  fs::path path = file;
  if (path.is_relative() && !config.engine.base_dir.empty()) path = fs::path(config.engine.base_dir) / path;
  auto snap = TakeSnapshot(engine.driver(), SnapshotOptionsFor(config.engine));
  if (!snap.ok()) {
    Status s = snap.status();
    s.Prepend(path.string() + ": not updated: ");
    return s;
  }
  return ReplaceFile(path.string(), SnapshotText(snap.value()));
}

Status CheckUpToDate(const StatusReport& report) {
  std::vector<std::string> pending;
  for (const auto& v : report.versions) {
    if ((v.state == VersionState::kFailed || v.state == VersionState::kRunning) && v.row) {
      const HistoryState hs = v.row->state;
      const bool down = hs == HistoryState::kDownFailed;
      const std::string fix = down                        ? " -- fix the down script and roll back again to finish it"
                              : hs == HistoryState::kFailed ? " -- fix the file and migrate again to resume"
                                                            : " -- migrate again to finish it";
      return Status(Code::kDirty, "version " + v.version + " is " + HistoryStateName(hs) + " after statement " +
                                      std::to_string(v.row->statements_done) + fix)
          .set_remedy(down ? Remedy::kRunDown : Remedy::kRunMigrate);
    }
    if (v.state == VersionState::kPending) pending.push_back(v.version);
  }
  if (pending.empty()) return Status::Ok();
  std::string list;
  for (size_t i = 0; i < pending.size() && i < 5; ++i) list += (i ? ", " : "") + pending[i];
  if (pending.size() > 5) list += ", ...";
  return Status(Code::kCheckFailed,
                std::to_string(pending.size()) + " migration(s) pending (" + list + ") -- migrate to apply them")
      .set_remedy(Remedy::kRunMigrate);
}

Status ValidateReleaseTag(const std::string& tag) {
  bool ok = !tag.empty() && tag.size() <= 128 && tag[0] != '-' && tag[0] != '.';
  for (char c : tag) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '+' || c == '-';
    ok = ok && safe;
  }
  if (ok) return Status::Ok();
  return Status(Code::kInvalidArgument,
                "release tag \"" + tag.substr(0, 128) +
                    "\" is not allowed -- use 1 to 128 of A-Z a-z 0-9 . _ + - (not starting with - or .)");
}

}  // namespace dbroll
