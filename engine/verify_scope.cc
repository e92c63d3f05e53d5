#include "engine/verify_scope.h"

#include <cctype>
#include <string_view>

#include "engine/intent.h"
#include "engine/splitter.h"

namespace dbroll::internal {
namespace {

bool Ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// True when `word` occurs in `text` not inside a longer identifier.
bool ContainsWord(std::string_view text, const std::string& word) {
  if (word.empty()) return false;
  for (size_t p = text.find(word); p != std::string_view::npos; p = text.find(word, p + 1)) {
    const size_t e = p + word.size();
    if ((p == 0 || !Ident(text[p - 1])) && (e >= text.size() || !Ident(text[e]))) return true;
  }
  return false;
}

bool MentionsAny(std::string_view text, const ScopeNames& names) {
  for (const std::string& n : names) {
    if (ContainsWord(text, n)) return true;
  }
  return false;
}

// The statement's words in upper case, comments and quoted text skipped
// (enough to see its kind and the words that make scoping give up).
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      i = s.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i = s.find("*/", i + 2);
      if (i == std::string_view::npos) break;
      i += 2;
    } else if (c == '\'' || c == '"' || c == '`') {
      i = s.find(c, i + 1);
      if (i == std::string_view::npos) break;
      ++i;
    } else if (Ident(c)) {
      size_t e = i;
      while (e < s.size() && Ident(s[e])) ++e;
      std::string w(s.substr(i, e - i));
      for (char& ch : w) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out.push_back(std::move(w));
      i = e;
    } else {
      ++i;
    }
  }
  return out;
}

// Adds the names `text` touches; false when it cannot be scoped.
bool ScopeStatement(const std::string& text, Dialect dialect, ScopeNames* names) {
  const std::vector<std::string> words = Words(text);
  if (words.empty()) return true;
  const std::string& verb = words.front();
  // Data and privileges: nothing a snapshot shows.
  if (verb == "INSERT" || verb == "UPDATE" || verb == "DELETE" || verb == "COMMENT" || verb == "GRANT" ||
      verb == "REVOKE") {
    return true;
  }
  if (verb != "CREATE" && verb != "ALTER" && verb != "DROP" && verb != "RENAME" && verb != "TRUNCATE") return false;
  for (const std::string& w : words) {
    // Partitions and inheritance change other tables than the one named.
    if (w == "PARTITION" || w == "INHERITS" || w == "INHERIT") return false;
  }
  const std::vector<std::string> targets = TargetObjects(text, dialect);
  if (targets.empty()) return false;
  for (const std::string& t : targets) {
    // Names in another case or with dots compare differently in SQL and here.
    for (char ch : t) {
      if (ch == '.' || (dialect == Dialect::kMysql && std::isupper(static_cast<unsigned char>(ch)))) return false;
    }
    names->insert(t);
  }
  return true;
}

bool ScopeScript(const Script& script, Dialect dialect, ScopeNames* names) {
  if (script.text.find("${") != std::string::npos) return false;  // placeholders: names unknown until run
  auto statements = SplitStatements(script.path, script.text, dialect);
  if (!statements.ok()) return false;
  for (const Statement& s : statements.value()) {
    if (!ScopeStatement(s.text, dialect, names)) return false;
  }
  return true;
}

std::string RelName(const std::string& qualified) {
  const size_t dot = qualified.rfind('.');
  return dot == std::string::npos ? qualified : qualified.substr(dot + 1);
}

}  // namespace

std::optional<ScopeNames> VersionScope(const Migration& m, Dialect dialect) {
  if (dialect == Dialect::kSqlite) return std::nullopt;
  ScopeNames names;
  if (!ScopeScript(m.up, dialect, &names)) return std::nullopt;
  if (m.down && !ScopeScript(*m.down, dialect, &names)) return std::nullopt;
  return names;
}

bool WidenScope(const Snapshot& before, ScopeNames* names) {
  for (bool grew = true; grew;) {
    grew = false;
    for (const SchemaObject& o : before.objects) {
      std::string add;
      if (o.kind == "view") {
        if (!names->count(RelName(o.name)) && MentionsAny(o.definition, *names)) add = RelName(o.name);
      } else if (o.kind == "function") {
        // PL/pgSQL and MySQL bodies are stored as text; a signature (row
        // types) and a BEGIN ATOMIC body depend on the tables they name.
        const size_t body = o.definition.find(" AS $");
        const bool atomic = o.definition.find("BEGIN ATOMIC") != std::string::npos;
        const std::string_view header = std::string_view(o.definition).substr(0, atomic ? std::string::npos : body);
        if (before.dialect == Dialect::kPostgres && (MentionsAny(o.name, *names) || MentionsAny(header, *names))) {
          return false;
        }
      } else if (o.kind == "table") {
        if (names->count(RelName(o.name)) && o.definition.find("partition by") != std::string::npos) return false;
      } else if (!o.table.empty()) {
        if (!names->count(RelName(o.table)) && MentionsAny(o.definition, *names)) add = RelName(o.table);
      }
      if (!add.empty()) grew = names->insert(add).second || grew;
    }
  }
  return true;
}

}  // namespace dbroll::internal
