// Scaffolding: init and new.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands/commands.h"
#include "cli/events.h"
#include "cli/exit_codes.h"

namespace dbroll::cli {
namespace fs = std::filesystem;

// "created A and B", or in JSON a summary event listing them.
static void Created(const Context& ctx, const std::string& command, const std::string& a, const std::string& b) {
  if (ctx.events()->is_json()) {
    ctx.events()->Emit("summary", {{"command", command}, {"outcome", "ok"}, {"files", {a, b}}});
    return;
  }
  std::cout << "created " << a << " and " << b << "\n";
}

void RegisterInit(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("init", "Create dbroll.toml and an empty migrations directory");
  auto url = std::make_shared<std::string>("sqlite:dbroll.db");
  cmd->add_option("--database-url", *url, "URL written into dbroll.toml");
  cmd->callback([&ctx, rc, url] {
    ctx.stream_events = true;
    if (Status f = ctx.RequireFormat({"text", "json"}, "init"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    fs::path dir = ctx.globals.dir;
    fs::path cfg = dir / "dbroll.toml";
    std::error_code ec;
    fs::create_directories(dir / "migrations", ec);
    if (ec) {
      *rc = ctx.Fail(Status(Code::kInvalidArgument, (dir / "migrations").string() + ": " + ec.message()));
      return;
    }
    const bool exists = fs::exists(cfg, ec);
    if (exists || ec) {
      *rc = ctx.Fail(Status(Code::kInvalidArgument,
                            cfg.string() + (exists ? ": already exists -- edit it instead" : ": " + ec.message())));
      return;
    }
    std::ofstream out(cfg);
    out << "# dbroll configuration -- see docs/config.md\n"
           "[database]\n"
           "# DBROLL_URL or DATABASE_URL override this; --url overrides both.\n"
           "url = \"" << *url << "\"\n\n"
           "[migrations]\n"
           "dir = \"migrations\"\n"
           "table = \"dbroll_history\"\n"
           "versioning = \"sequence\"   # or \"timestamp\"\n";
    Created(ctx, "init", cfg.string(), (dir / "migrations").string() + "/");
    *rc = kExitOk;
  });
}

namespace {

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
  if (::close(fd) != 0)
    return Status(Code::kInvalidArgument, path.string() + ": cannot write: " + std::strerror(errno));
  return Status::Ok();
}

Status NewMigration(const Config& cfg, std::string name, std::vector<std::string>* created) {
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  fs::path dir = fs::path(cfg.engine.base_dir) / cfg.engine.migrations_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(Code::kInvalidArgument, dir.string() + ": cannot create: " + ec.message());
  // Every version already taken (as numbers: "0004" and "4" are the same).
  std::vector<std::string> taken;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string digits = LeadingDigits(it->path().filename().string());
    if (!digits.empty()) taken.push_back(std::move(digits));
  }
  if (ec) return Status(Code::kInvalidArgument, dir.string() + ": cannot read: " + ec.message());
  auto is_taken = [&](const std::string& v) {
    return std::any_of(taken.begin(), taken.end(),
                       [&](const std::string& t) { return !DecimalLess(t, v) && !DecimalLess(v, t); });
  };
  std::string version;
  if (cfg.engine.versioning == "timestamp") {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    version = buf;
    // Two `dbroll new` in one second: the next free number, never the same one.
    while (is_taken(version)) version = DecimalPlusOne(version);
  } else {
    std::string max = "0";
    size_t width = 4;
    for (const auto& t : taken) {
      if (DecimalLess(max, t)) max = t;
      width = std::max(width, t.size());
    }
    version = DecimalPlusOne(StripZeros(max).empty() ? "0" : StripZeros(max));
    if (version.size() < width) version = std::string(width - version.size(), '0') + version;
  }
  const fs::path m = dir / (version + "_" + name);
  if (::mkdir(m.c_str(), 0755) != 0) {
    return Status(Code::kInvalidArgument, m.string() + ": cannot create: " + std::strerror(errno) +
                                              " -- nothing was overwritten; run dbroll new again");
  }
  DBROLL_RETURN_IF_ERROR(CreateNew(m / "up.sql", "-- " + version + "_" + name + ": up\n"));
  DBROLL_RETURN_IF_ERROR(
      CreateNew(m / "down.sql", "-- " + version + "_" + name + ": down (undo everything up.sql does)\n"));
  created->push_back((m / "up.sql").string());
  created->push_back((m / "down.sql").string());
  return Status::Ok();
}

}  // namespace

void RegisterNew(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("new", "Create the next version's up.sql and down.sql");
  auto name = std::make_shared<std::string>();
  cmd->add_option("name", *name, "Short name, e.g. add_users_email")->required();
  cmd->callback([&ctx, rc, name] {
    ctx.stream_events = true;
    if (Status f = ctx.RequireFormat({"text", "json"}, "new"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    auto cfg = ctx.LoadConfig();
    if (!cfg.ok()) {
      *rc = ctx.Fail(cfg.status());
      return;
    }
    std::vector<std::string> created;
    Status s = NewMigration(cfg.value(), *name, &created);
    if (s.ok()) Created(ctx, "new", created[0], created[1]);
    *rc = s.ok() ? kExitOk : ctx.Fail(s);
  });
}

}  // namespace dbroll::cli
