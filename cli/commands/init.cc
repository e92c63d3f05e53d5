// Scaffolding: init and new.
#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands/commands.h"
#include "cli/exit_codes.h"

namespace dbroll::cli {
namespace fs = std::filesystem;

void RegisterInit(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("init", "Create dbroll.toml and an empty migrations directory");
  auto url = std::make_shared<std::string>("sqlite:dbroll.db");
  cmd->add_option("--database-url", *url, "URL written into dbroll.toml");
  cmd->callback([&ctx, rc, url] {
    fs::path dir = ctx.globals.dir;
    fs::path cfg = dir / "dbroll.toml";
    std::error_code ec;
    fs::create_directories(dir / "migrations", ec);
    if (ec) {
      *rc = ctx.Fail(Status(Code::kInvalidArgument, (dir / "migrations").string() + ": " + ec.message()));
      return;
    }
    if (fs::exists(cfg)) {
      *rc = ctx.Fail(Status(Code::kInvalidArgument, cfg.string() + ": already exists -- edit it instead"));
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
    std::cout << "created " << cfg.string() << " and " << (dir / "migrations").string() << "/\n";
    *rc = kExitOk;
  });
}

void RegisterNew(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("new", "Create the next version's up.sql and down.sql");
  auto name = std::make_shared<std::string>();
  cmd->add_option("name", *name, "Short name, e.g. add_users_email")->required();
  cmd->callback([&ctx, rc, name] {
    auto cfg = ctx.LoadConfig();
    if (!cfg.ok()) {
      *rc = ctx.Fail(cfg.status());
      return;
    }
    for (char& c : *name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    fs::path dir = fs::path(cfg->engine.base_dir) / cfg->engine.migrations_dir;
    fs::create_directories(dir);
    std::string version;
    if (cfg->engine.versioning == "timestamp") {
      std::time_t t = std::time(nullptr);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
      version = buf;
    } else {
      unsigned long long max = 0;
      size_t width = 4;
      for (const auto& e : fs::directory_iterator(dir)) {
        std::string f = e.path().filename().string();
        size_t n = 0;
        while (n < f.size() && std::isdigit(static_cast<unsigned char>(f[n]))) ++n;
        if (n == 0) continue;
        max = std::max(max, std::stoull(f.substr(0, n)));
        width = std::max(width, n);
      }
      version = std::to_string(max + 1);
      if (version.size() < width) version = std::string(width - version.size(), '0') + version;
    }
    fs::path m = dir / (version + "_" + *name);
    fs::create_directories(m);
    std::ofstream(m / "up.sql") << "-- " << version << "_" << *name << ": up\n";
    std::ofstream(m / "down.sql") << "-- " << version << "_" << *name << ": down (undo everything up.sql does)\n";
    std::cout << "created " << (m / "up.sql").string() << " and " << (m / "down.sql").string() << "\n";
    *rc = kExitOk;
  });
}

}  // namespace dbroll::cli
