// SQLite catalog reader: sqlite_master plus the table-valued pragmas. SQLite
// keeps CHECK clauses and index predicates only in the CREATE text, so those
// two are cut out of it; everything else comes from the pragmas so that a
// column added by ALTER TABLE reads the same as one in the CREATE TABLE.
#include <cctype>
#include <cstdlib>
#include <map>

#include "engine/history.h"
#include "engine/schema_internal.h"

namespace dbroll::internal {
namespace {

// Scans SQL text skipping quoted strings and identifiers and comments.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}
  bool done() const { return i_ >= t_.size(); }
  size_t pos() const { return i_; }
  void Seek(size_t p) { i_ = p; }
  // Advances past one token-ish unit; returns the character it started on
  // when it was plain code, 0 inside quotes or comments.
  char Next() {
    const char c = t_[i_];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      const char close = c == '[' ? ']' : c;
      ++i_;
      while (i_ < t_.size()) {
        if (t_[i_] == close) {
          if (close != ']' && i_ + 1 < t_.size() && t_[i_ + 1] == close) {
            i_ += 2;
            continue;
          }
          break;
        }
        ++i_;
      }
      ++i_;
      return 0;
    }
    if (c == '-' && i_ + 1 < t_.size() && t_[i_ + 1] == '-') {
      while (i_ < t_.size() && t_[i_] != '\n') ++i_;
      return 0;
    }
    if (c == '/' && i_ + 1 < t_.size() && t_[i_ + 1] == '*') {
      size_t e = t_.find("*/", i_ + 2);
      i_ = e == std::string_view::npos ? t_.size() : e + 2;
      return 0;
    }
    ++i_;
    return c;
  }
  // True when the keyword `kw` starts at the current position as a whole word.
  bool AtKeyword(std::string_view kw) const {
    if (i_ + kw.size() > t_.size()) return false;
    if (i_ > 0 && (std::isalnum(static_cast<unsigned char>(t_[i_ - 1])) || t_[i_ - 1] == '_')) return false;
    for (size_t k = 0; k < kw.size(); ++k) {
      if (std::toupper(static_cast<unsigned char>(t_[i_ + k])) != kw[k]) return false;
    }
    const size_t e = i_ + kw.size();
    return e == t_.size() || !(std::isalnum(static_cast<unsigned char>(t_[e])) || t_[e] == '_');
  }

 private:
  std::string_view t_;
  size_t i_ = 0;
};

// End (exclusive) of the parenthesised group opening at `open`.
size_t GroupEnd(std::string_view text, size_t open) {
  Scanner s(text.substr(open));
  int depth = 0;
  while (!s.done()) {
    const char c = s.Next();
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return open + s.pos();
  }
  return text.size();
}

std::string Lit(const std::string& v) { return QuoteLiteral(Dialect::kSqlite, v); }

std::string RuleClause(const std::string& what, const std::string& rule) {
  return rule.empty() || rule == "NO ACTION" ? "" : " on " + what + " " + Lower(rule);
}

}  // namespace

std::vector<std::string> ExtractChecks(std::string_view sql) {
  std::vector<std::string> out;
  Scanner s(sql);
  size_t constraint_start = std::string_view::npos;
  while (!s.done()) {
    if (s.AtKeyword("CONSTRAINT")) constraint_start = s.pos();
    if (s.AtKeyword("CHECK")) {
      const size_t start = constraint_start != std::string_view::npos ? constraint_start : s.pos();
      const size_t open = sql.find('(', s.pos());
      if (open == std::string_view::npos) break;
      const size_t end = GroupEnd(sql, open);
      // A CONSTRAINT name belongs to this CHECK only when nothing else came between.
      std::string_view head = sql.substr(start, s.pos() - start);
      const bool named = start != s.pos() && head.find(',') == std::string_view::npos &&
                         head.find('(') == std::string_view::npos;
      out.push_back(CollapseSpace(sql.substr(named ? start : s.pos(), end - (named ? start : s.pos()))));
      s.Seek(end);
      constraint_start = std::string_view::npos;
      continue;
    }
    const char c = s.Next();
    if (c == ',') constraint_start = std::string_view::npos;
  }
  return out;
}

std::string ExtractIndexPredicate(std::string_view sql) {
  Scanner s(sql);
  int depth = 0;
  while (!s.done()) {
    if (depth == 0 && s.AtKeyword("WHERE")) return CollapseSpace(sql.substr(s.pos() + 5));
    const char c = s.Next();
    if (c == '(') ++depth;
    if (c == ')') --depth;
  }
  return "";
}

namespace {

// The objects one sqlite_master row stands for: a view, a trigger, an index,
// or a table with its columns and constraints.
Status ReadSqliteObject(Driver& driver, const std::string& type, const std::string& name, const std::string& table,
                        const std::string& sql, std::vector<SchemaObject>& out) {
  {
    if (type == "view") {
      out.push_back({"view", name, "", "", CollapseSpace(sql), 0});
    } else if (type == "trigger") {
      out.push_back({"trigger", table + "." + name, table, "on " + table, CollapseSpace(sql), 0});
    } else if (type == "index" && !sql.empty()) {
      auto cols = CatalogQuery(driver, "index " + name,
                               "SELECT name, \"desc\", coll FROM pragma_index_xinfo(" + Lit(name) +
                                   ") WHERE key = 1 ORDER BY seqno");
      if (!cols.ok()) return cols.status();
      auto list = CatalogQuery(driver, "indexes of " + table,
                               "SELECT \"unique\" FROM pragma_index_list(" + Lit(table) + ") WHERE name = " +
                                   Lit(name));
      if (!list.ok()) return list.status();
      const bool unique = !list->empty() && Text(list->front(), 0) == "1";
      std::string columns;
      bool expression = false;
      for (const Row& c : *cols) {
        if (!c[0]) expression = true;
        columns += (columns.empty() ? "" : ", ") + Text(c, 0) + (Text(c, 1) == "1" ? " desc" : "") +
                   (Lower(Text(c, 2)) != "binary" ? " collate " + Text(c, 2) : "");
      }
      if (expression) {
        // Expressions are only in the CREATE text: keep it, normalised.
        const size_t open = sql.find('(');
        columns = open == std::string::npos
                      ? CollapseSpace(sql)
                      : CollapseSpace(sql.substr(open + 1, GroupEnd(sql, open) - open - 2));
      }
      const std::string predicate = ExtractIndexPredicate(sql);
      std::string summary = "on " + table + " (" + columns + ")";
      out.push_back({"index", table + "." + name, table, summary,
                     std::string(unique ? "unique " : "") + summary + (predicate.empty() ? "" : " where " + predicate),
                     0});
    } else if (type == "table") {
      std::string options;
      const size_t close = sql.rfind(')');
      const std::string tail = close == std::string::npos ? "" : Lower(sql.substr(close + 1));
      if (tail.find("without rowid") != std::string::npos) options += "without rowid";
      if (tail.find("strict") != std::string::npos) options += options.empty() ? "strict" : ", strict";
      out.push_back({"table", name, "", "", options, 0});
      auto cols = CatalogQuery(driver, "columns of " + name,
                               "SELECT name, type, \"notnull\", dflt_value, pk, hidden, cid "
                               "FROM pragma_table_xinfo(" + Lit(name) + ") ORDER BY cid");
      if (!cols.ok()) return cols.status();
      std::map<int, std::string> pk;
      int position = 0;
      for (const Row& c : *cols) {
        const std::string& hidden = Text(c, 5);
        if (hidden == "1") continue;  // hidden columns of virtual tables
        const std::string type_name = Lower(Text(c, 1));
        std::string def = type_name.empty() ? "(no type)" : type_name;
        if (Text(c, 2) == "1") def += " not null";
        if (c[3]) def += " default " + CollapseSpace(*c[3]);
        if (hidden == "2") def += " generated virtual";
        if (hidden == "3") def += " generated stored";
        const int key = std::atoi(Text(c, 4).c_str());
        if (key > 0) pk[key] = Text(c, 0);
        out.push_back({"column", name + "." + Text(c, 0), name, type_name, def, ++position});
      }
      if (!pk.empty()) {
        std::string cols_text;
        for (const auto& [k, col] : pk) cols_text += (cols_text.empty() ? "" : ", ") + col;
        out.push_back({"constraint", name + ".primary key (" + cols_text + ")", name, "",
                       "primary key (" + cols_text + ")", 0});
      }
      auto uniques = CatalogQuery(driver, "unique constraints of " + name,
                                  "SELECT l.name, group_concat(i.name, ', ') FROM pragma_index_list(" + Lit(name) +
                                      ") l, pragma_index_info(l.name) i WHERE l.origin = 'u' "
                                      "GROUP BY l.name ORDER BY l.name");
      if (!uniques.ok()) return uniques.status();
      for (const Row& u : *uniques) {
        const std::string def = "unique (" + Text(u, 1) + ")";
        out.push_back({"constraint", name + "." + def, name, "", def, 0});
      }
      auto fks = CatalogQuery(driver, "foreign keys of " + name,
                              "SELECT id, \"table\", group_concat(\"from\", ', '), group_concat(\"to\", ', '), "
                              "on_update, on_delete FROM (SELECT * FROM pragma_foreign_key_list(" + Lit(name) +
                                  ") ORDER BY id, seq) GROUP BY id");
      if (!fks.ok()) return fks.status();
      for (const Row& f : *fks) {
        const std::string def = "foreign key (" + Text(f, 2) + ") references " + Text(f, 1) + " (" + Text(f, 3) +
                                ")" + RuleClause("update", Text(f, 4)) + RuleClause("delete", Text(f, 5));
        out.push_back({"constraint", name + ".foreign key (" + Text(f, 2) + ") references " + Text(f, 1), name, "",
                       def, 0});
      }
      for (const std::string& check : ExtractChecks(sql)) {
        out.push_back({"constraint", name + "." + check, name, "", check, 0});
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<SchemaObject>> ReadSqliteSchema(Driver& driver, const TableFilter& filter, CatalogCache* cache) {
  auto master = CatalogQuery(driver, "sqlite_master",
                             "SELECT type, name, tbl_name, sql FROM sqlite_master "
                             "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  if (!master.ok()) return master.status();
  // An index's details (column collations) depend on its table's text too.
  std::map<std::string, std::string> table_sql;
  if (cache) {
    for (const Row& m : *master) {
      if (Text(m, 0) == "table") table_sql[Text(m, 1)] = Text(m, 3);
    }
  }
  std::vector<SchemaObject> out;
  for (const Row& m : *master) {
    const std::string& type = Text(m, 0);
    const std::string& name = Text(m, 1);
    const std::string& table = Text(m, 2);
    const std::string& sql = Text(m, 3);
    if (filter.Excluded(table)) continue;
    if (!cache) {
      if (Status s = ReadSqliteObject(driver, type, name, table, sql, out); !s.ok()) return s;
      continue;
    }
    // Everything the pragmas report follows from the CREATE texts, so equal
    // texts give equal objects: read the pragmas only for new texts.
    std::string key = type + '\x1f' + name + '\x1f' + table + '\x1f' + sql;
    if (type == "index") key += '\x1f' + table_sql[table];
    auto hit = cache->sqlite.find(key);
    if (hit == cache->sqlite.end()) {
      std::vector<SchemaObject> objects;
      if (Status s = ReadSqliteObject(driver, type, name, table, sql, objects); !s.ok()) return s;
      hit = cache->sqlite.emplace(std::move(key), std::move(objects)).first;
    }
    out.insert(out.end(), hit->second.begin(), hit->second.end());
  }
  return out;
}

}  // namespace dbroll::internal
