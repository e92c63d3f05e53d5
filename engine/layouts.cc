#include "engine/layouts.h"

#include <algorithm>
#include <cctype>

#include "engine/splitter.h"

namespace dbroll::internal {
namespace {

struct LayoutEntry {
  Layout layout;
  const char* name;
};
constexpr LayoutEntry kLayouts[] = {
    {Layout::kAuto, "auto"},   {Layout::kDbroll, "dbroll"},          {Layout::kGolangMigrate, "golang-migrate"},
    {Layout::kPopx, "popx"},   {Layout::kDiesel, "diesel"},          {Layout::kDbmate, "dbmate"},
    {Layout::kGoose, "goose"}, {Layout::kSqlMigrate, "sql-migrate"}, {Layout::kFlyway, "flyway"},
};

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Words of a marker line after `prefix` ("-- +goose Up" with prefix "+goose"
// -> {"Up"}); nullopt when the line is not such a marker. The tools allow
// spaces between `--` and the prefix.
std::optional<std::vector<std::string>> MarkerWords(std::string_view line, std::string_view prefix) {
  std::string_view t = TrimView(line);
  if (t.substr(0, 2) != "--") return std::nullopt;
  t = TrimView(t.substr(2));
  if (t.size() < prefix.size() || !IEquals(t.substr(0, prefix.size()), prefix)) return std::nullopt;
  t = t.substr(prefix.size());
  if (!t.empty() && t.front() != ' ' && t.front() != '\t') {
    // dbmate writes "migrate:up" with no space: the prefix includes the colon.
    if (prefix.back() != ':') return std::nullopt;
  }
  std::vector<std::string> words;
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
    size_t j = i;
    while (j < t.size() && t[j] != ' ' && t[j] != '\t') ++j;
    if (j > i) words.emplace_back(t.substr(i, j - i));
    i = j;
  }
  return words;
}

struct Line {
  size_t begin, end;  // [begin, end) without the newline; end + 1 starts the next line
};

std::vector<Line> Lines(std::string_view text) {
  std::vector<Line> out;
  size_t b = 0;
  while (b < text.size()) {
    size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    out.push_back({b, e});
    b = e + 1;
  }
  return out;
}

// The section of `text` from line index `from` (exclusive of the marker line)
// to line index `to` (exclusive), with every earlier line kept as an empty one.
std::string Section(std::string_view text, const std::vector<Line>& lines, size_t marker, size_t to) {
  std::string out(marker + 1, '\n');
  if (marker + 1 >= lines.size()) return out;
  const size_t b = lines[marker + 1].begin;
  const size_t e = to < lines.size() ? lines[to].begin : text.size();
  out.append(text.substr(b, e - b));
  return out;
}

std::string At(const std::string& path, size_t line_index) {
  return path + ":" + std::to_string(line_index + 1) + ": ";
}

// "+goose", "+migrate" or "migrate:" for the single-file tools.
std::string_view PrefixOf(Layout tool) {
  switch (tool) {
    case Layout::kGoose:
      return "+goose";
    case Layout::kSqlMigrate:
      return "+migrate";
    default:
      return "migrate:";
  }
}

bool IsBlockMarker(std::string_view line, bool* begin) {
  for (std::string_view prefix : {"+goose", "+migrate"}) {
    auto w = MarkerWords(line, prefix);
    if (!w || w->size() != 1) continue;
    if (IEquals((*w)[0], "StatementBegin")) {
      *begin = true;
      return true;
    }
    if (IEquals((*w)[0], "StatementEnd")) {
      *begin = false;
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<Layout> ParseLayout(const std::string& name) {
  for (const auto& e : kLayouts) {
    if (name == e.name) return e.layout;
  }
  return std::nullopt;
}

const char* LayoutName(Layout layout) {
  for (const auto& e : kLayouts) {
    if (layout == e.layout) return e.name;
  }
  return "?";
}

std::string LayoutNames() {
  std::string out;
  for (const auto& e : kLayouts) out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}

Layout DetectSingleFileTool(std::string_view text) {
  for (const Line& l : Lines(text)) {
    std::string_view line = text.substr(l.begin, l.end - l.begin);
    if (line.find("--") == std::string_view::npos) continue;
    if (auto w = MarkerWords(line, "migrate:"); w && !w->empty() && ((*w)[0] == "up" || (*w)[0] == "down")) {
      return Layout::kDbmate;
    }
    for (auto [prefix, tool] : {std::pair{std::string_view("+goose"), Layout::kGoose},
                                std::pair{std::string_view("+migrate"), Layout::kSqlMigrate}}) {
      auto w = MarkerWords(line, prefix);
      if (w && !w->empty() && (IEquals((*w)[0], "Up") || IEquals((*w)[0], "Down"))) return tool;
    }
  }
  return Layout::kAuto;
}

Result<SingleFileMigration> SplitSingleFile(Layout tool, const std::string& path, std::string_view text) {
  const std::vector<Line> lines = Lines(text);
  const std::string_view prefix = PrefixOf(tool);
  const char* up_marker = tool == Layout::kDbmate  ? "-- migrate:up"
                          : tool == Layout::kGoose ? "-- +goose Up"
                                                   : "-- +migrate Up";
  std::optional<size_t> up, down;
  SingleFileMigration out;
  auto bad = [&](size_t i, const std::string& msg) { return Status(Code::kInvalidArgument, At(path, i) + msg); };
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = text.substr(lines[i].begin, lines[i].end - lines[i].begin);
    auto w = MarkerWords(line, prefix);
    if (!w) continue;
    if (tool == Layout::kDbmate) {
      // "-- migrate:up transaction:false": the first word is the direction.
      if (w->empty()) continue;
      const std::string dir = (*w)[0];
      if (dir != "up" && dir != "down") continue;
      bool no_tx = false;
      for (size_t k = 1; k < w->size(); ++k) {
        const std::string& opt = (*w)[k];
        if (opt == "transaction:false")
          no_tx = true;
        else if (opt != "transaction:true")
          return bad(i, "unknown dbmate option '" + opt + "' (dbroll reads transaction:false and transaction:true)");
      }
      if (dir == "up") {
        if (up) return bad(i, "a second `-- migrate:up` section -- one file holds one migration");
        up = i;
        out.up_no_transaction = no_tx;
      } else {
        if (down) return bad(i, "a second `-- migrate:down` section -- one file holds one migration");
        down = i;
        out.down_no_transaction = no_tx;
      }
      continue;
    }
    if (w->empty()) continue;
    const std::string& cmd = (*w)[0];
    if (tool == Layout::kGoose && w->size() == 2 && IEquals(cmd, "NO") && IEquals((*w)[1], "TRANSACTION")) {
      out.up_no_transaction = out.down_no_transaction = true;
      continue;
    }
    const bool is_up = IEquals(cmd, "Up"), is_down = IEquals(cmd, "Down");
    if (!is_up && !is_down) continue;  // StatementBegin/End reach the splitter; other annotations are comments
    bool no_tx = false;
    for (size_t k = 1; k < w->size(); ++k) {
      if (tool == Layout::kSqlMigrate && (*w)[k] == "notransaction")
        no_tx = true;
      else
        return bad(i, "unknown option '" + (*w)[k] + "' after " + std::string(prefix) + " " + cmd +
                          (tool == Layout::kSqlMigrate ? " (sql-migrate knows notransaction)" : ""));
    }
    if (is_up) {
      if (up) return bad(i, "a second " + std::string(prefix) + " Up section -- one file holds one migration");
      up = i;
      if (no_tx) out.up_no_transaction = true;
    } else {
      if (down) return bad(i, "a second " + std::string(prefix) + " Down section -- one file holds one migration");
      down = i;
      if (no_tx) out.down_no_transaction = true;
    }
  }
  if (!up) {
    return Status(Code::kInvalidArgument, path + ": no `" + up_marker + "` line -- " + LayoutName(tool) +
                                              " runs only what follows it; add it above the migration's SQL");
  }
  if (down && *down < *up) {
    return bad(*down, "the down section comes before the up section -- put the up section first");
  }
  // The tools refuse SQL outside a section rather than run or drop it.
  for (size_t i = 0; i < *up; ++i) {
    std::string_view t = TrimView(text.substr(lines[i].begin, lines[i].end - lines[i].begin));
    if (!t.empty() && t.substr(0, 2) != "--") {
      return bad(i, "SQL before the `" + std::string(up_marker) + "` line, which " + LayoutName(tool) +
                        " does not run -- move it into the up or the down section");
    }
  }
  out.up = Section(text, lines, *up, down ? *down : lines.size());
  out.down = down ? Section(text, lines, *down, lines.size()) : std::string();
  return out;
}

bool ParseFlywayName(const std::string& file, char* kind, std::string* version, std::string* desc) {
  if (file.size() < 8 || (file[0] != 'V' && file[0] != 'U')) return false;
  if (file.compare(file.size() - 4, 4, ".sql") != 0) return false;
  const size_t sep = file.find("__", 1);
  if (sep == std::string::npos || sep == 1 || sep + 2 > file.size() - 4) return false;
  std::string v;
  bool digit_last = false;
  for (size_t i = 1; i < sep; ++i) {
    const char c = file[i];
    if (c >= '0' && c <= '9') {
      v += c;
      digit_last = true;
    } else if ((c == '.' || c == '_') && digit_last) {
      v += '.';
      digit_last = false;
    } else {
      return false;
    }
  }
  if (!digit_last) return false;
  *kind = file[0];
  *version = v;
  *desc = file.substr(sep + 2, file.size() - 4 - sep - 2);
  return true;
}

bool HasStatementBlocks(std::string_view text) {
  if (text.find("+goose") == std::string_view::npos && text.find("+migrate") == std::string_view::npos) return false;
  bool begin;
  for (const Line& l : Lines(text)) {
    if (IsBlockMarker(text.substr(l.begin, l.end - l.begin), &begin)) return true;
  }
  return false;
}

Result<std::vector<Statement>> SplitWithStatementBlocks(const std::string& path, std::string_view text,
                                                        Dialect dialect) {
  std::vector<Statement> out;
  // Splits text[from, to) as usual. Earlier bytes become spaces (newlines
  // stay) so offsets, lines and columns -- also in errors -- are the file's.
  auto plain = [&](size_t from, size_t to) -> Status {
    std::string padded(text.substr(0, to));
    for (size_t k = 0; k < from; ++k) {
      if (padded[k] != '\n') padded[k] = ' ';
    }
    auto part = SplitStatements(path, padded, dialect);
    if (!part.ok()) return part.status();
    for (Statement& s : part.value()) {
      LineColumnAt(text, s.offset, &s.line, &s.column);
      out.push_back(std::move(s));
    }
    return Status::Ok();
  };
  const std::vector<Line> lines = Lines(text);
  size_t plain_from = 0;
  std::optional<size_t> open;  // line index of the StatementBegin
  for (size_t i = 0; i < lines.size(); ++i) {
    bool begin = false;
    if (!IsBlockMarker(text.substr(lines[i].begin, lines[i].end - lines[i].begin), &begin)) continue;
    if (begin) {
      if (open) {
        return Status(Code::kInvalidArgument, At(path, i) + "StatementBegin inside the block opened on line " +
                                                  std::to_string(*open + 1) + " -- close it with StatementEnd first");
      }
      DBROLL_RETURN_IF_ERROR(plain(plain_from, lines[i].begin));
      open = i;
      continue;
    }
    if (!open) {
      return Status(
          Code::kInvalidArgument,
          At(path, i) + "StatementEnd without a StatementBegin -- add the StatementBegin line above the statement");
    }
    const size_t b = *open + 1 < lines.size() ? lines[*open + 1].begin : text.size();
    std::string_view body = text.substr(b, lines[i].begin - b);
    size_t lead = 0;
    while (lead < body.size() && std::isspace(static_cast<unsigned char>(body[lead]))) ++lead;
    size_t end = body.size();
    while (end > lead && std::isspace(static_cast<unsigned char>(body[end - 1]))) --end;
    if (end > lead && body[end - 1] == ';') --end;
    while (end > lead && std::isspace(static_cast<unsigned char>(body[end - 1]))) --end;
    if (end > lead && !IsBlankSql(body.substr(lead, end - lead), dialect)) {
      Statement s;
      s.text = std::string(body.substr(lead, end - lead));
      s.path = path;
      s.offset = b + lead;
      LineColumnAt(text, s.offset, &s.line, &s.column);
      out.push_back(std::move(s));
    }
    open.reset();
    plain_from = i + 1 < lines.size() ? lines[i + 1].begin : text.size();
  }
  if (open) {
    return Status(
        Code::kInvalidArgument,
        At(path, *open) + "StatementBegin without a StatementEnd -- add the StatementEnd line after the statement");
  }
  DBROLL_RETURN_IF_ERROR(plain(plain_from, text.size()));
  return out;
}

}  // namespace dbroll::internal
