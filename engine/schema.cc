// Dialect-independent parts of schema snapshots: ordering, rendering, diff.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

#include "engine/schema_internal.h"

namespace dbroll {
namespace {

int KindRank(const std::string& kind) {
  static const std::string kOrder[] = {"schema", "extension", "type",  "sequence", "function", "table",
                                       "column", "constraint", "index", "trigger",  "view"};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i) {
    if (kind == kOrder[i]) return i;
  }
  return static_cast<int>(std::size(kOrder));
}

// Children sort right after their table whatever their own kind, so the text
// reads table by table. (References, not copies: verify sorts snapshots of
// thousands of objects several times per version.)
auto SortKey(const SchemaObject& o) {
  static const int kTableRank = KindRank("table");
  const bool child = !o.table.empty();
  const std::string& top = child ? o.table : o.name;
  const int top_rank = child ? kTableRank : KindRank(o.kind);
  return std::tuple<int, const std::string&, int, int, int, const std::string&>(
      top_rank, top, child ? 1 : 0, KindRank(o.kind), o.position, o.name);
}

bool Before(const SchemaObject& a, const SchemaObject& b) { return SortKey(a) < SortKey(b); }

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Key(const SchemaObject& o) { return o.kind + "\x1f" + o.name; }

std::string ColumnOrder(const std::vector<const SchemaObject*>& cols) {
  std::string out;
  for (const SchemaObject* c : cols) out += (out.empty() ? "" : ", ") + c->name.substr(c->table.size() + 1);
  return out;
}

}  // namespace

std::string SchemaObject::Describe() const {
  if (kind == "index" || kind == "trigger" || kind == "constraint") {
    // Their names are unique per table (or per schema): the table reads better after them.
    const std::string shortname = table.empty() ? name : name.substr(table.size() + 1);
    return kind + " " + shortname + " " + (summary.empty() ? "on " + table : summary);
  }
  return kind + " " + name + (summary.empty() ? "" : " (" + summary + ")");
}

Result<Snapshot> TakeSnapshot(Driver& driver, const SnapshotOptions& options) {
  return internal::TakeSnapshotCached(driver, options, nullptr);
}

Result<Snapshot> internal::TakeSnapshotCached(Driver& driver, const SnapshotOptions& options,
                                              internal::CatalogCache* cache) {
  internal::TableFilter filter(options);
  Result<std::vector<SchemaObject>> objects = Status(Code::kInternal, "unknown dialect");
  switch (driver.dialect()) {
    case Dialect::kSqlite: objects = internal::ReadSqliteSchema(driver, filter, cache); break;
    case Dialect::kPostgres: objects = internal::ReadPostgresSchema(driver, filter); break;
    case Dialect::kMysql: objects = internal::ReadMysqlSchema(driver, filter); break;
  }
  if (!objects.ok()) return objects.status();
  Snapshot snap;
  snap.dialect = driver.dialect();
  snap.objects = std::move(objects).value();
  std::sort(snap.objects.begin(), snap.objects.end(), Before);
  return snap;
}

namespace internal {
namespace {

// The relation part of a snapshot name: PostgreSQL writes "schema.name"
// outside public; an index is "table.index".
std::string_view RelName(std::string_view qualified) {
  const size_t dot = qualified.rfind('.');
  return dot == std::string_view::npos ? qualified : qualified.substr(dot + 1);
}

}  // namespace

bool InScope(const SchemaObject& o, const ScopeNames& names) {
  if (o.kind == "table" || o.kind == "view") return names.count(RelName(o.name)) > 0;
  if (o.kind == "sequence") {
    if (names.count(RelName(o.name))) return true;
    // "... owned by table.column"
    const size_t by = o.definition.rfind(" owned by ");
    if (by == std::string::npos) return false;
    const std::string owner = o.definition.substr(by + 10);
    const size_t dot = owner.rfind('.');
    return dot != std::string::npos && names.count(owner.substr(0, dot)) > 0;
  }
  if (o.kind == "column" || o.kind == "constraint" || o.kind == "index" || o.kind == "trigger") {
    if (names.count(RelName(o.table))) return true;
    return o.kind == "index" && o.name.size() > o.table.size() &&
           names.count(std::string_view(o.name).substr(o.table.size() + 1)) > 0;
  }
  return false;  // schemas, extensions, types, functions: a scoped read never reads them
}

Result<Snapshot> TakeScopedSnapshot(Driver& driver, const SnapshotOptions& options, const Snapshot& base,
                                    const ScopeNames& names, CatalogCache* cache, bool merge) {
  TableFilter filter(options);
  Result<std::vector<SchemaObject>> read = Status(Code::kInternal, "scoped snapshots need PostgreSQL or MySQL");
  switch (driver.dialect()) {
    case Dialect::kSqlite: break;
    case Dialect::kPostgres: read = ReadPostgresSchema(driver, filter, &names, cache); break;
    case Dialect::kMysql: {
      // MySQL reads whole tables by name (schema_mysql.cc). An index in scope
      // by its own name sits on a table in scope, or on one whose index it
      // already was in `base`: MySQL names the table in every statement that
      // creates, renames or drops an index, and such a table is in scope.
      ScopeNames tables = names;
      for (const SchemaObject& o : base.objects) {
        if (o.kind == "index" && InScope(o, names)) tables.emplace(RelName(o.table));
      }
      read = ReadMysqlSchema(driver, filter, &tables);
      break;
    }
  }
  if (!read.ok()) return read.status();
  std::vector<SchemaObject>& objects = read.value();
  objects.erase(std::remove_if(objects.begin(), objects.end(),
                               [&](const SchemaObject& o) { return !InScope(o, names); }),
                objects.end());
  Snapshot snap;
  snap.dialect = driver.dialect();
  if (!merge) {
    std::sort(objects.begin(), objects.end(), Before);
    snap.objects = std::move(objects);
    return snap;
  }
  std::set<std::string, std::less<>> fresh, fresh_names;
  for (const SchemaObject& o : objects) {
    fresh.insert(Key(o));
    fresh_names.insert(o.name);
  }
  snap.objects.reserve(base.objects.size() + objects.size());
  for (const SchemaObject& o : base.objects) {
    if (!InScope(o, names) && !(fresh_names.count(o.name) && fresh.count(Key(o)))) snap.objects.push_back(o);
  }
  // `base` is a snapshot, so sorted already: only the fresh objects need
  // sorting, then one merge.
  const auto middle = static_cast<std::ptrdiff_t>(snap.objects.size());
  const bool sorted = std::is_sorted(snap.objects.begin(), snap.objects.end(), Before);
  std::sort(objects.begin(), objects.end(), Before);
  for (SchemaObject& o : objects) snap.objects.push_back(std::move(o));
  if (sorted) {
    std::inplace_merge(snap.objects.begin(), snap.objects.begin() + middle, snap.objects.end(), Before);
  } else {
    std::sort(snap.objects.begin(), snap.objects.end(), Before);
  }
  return snap;
}

std::vector<SchemaChange> DiffScoped(const Snapshot& a, const Snapshot& b, const ScopeNames& names) {
  // The keys of the objects in scope in either snapshot (by name first: a
  // key is built only for an object whose name one of them has).
  std::set<std::string, std::less<>> keys, key_names;
  for (const Snapshot* s : {&a, &b}) {
    for (const SchemaObject& o : s->objects) {
      if (InScope(o, names) && keys.insert(Key(o)).second) key_names.insert(o.name);
    }
  }
  auto part = [&](const Snapshot& s) {
    Snapshot out;
    out.dialect = s.dialect;
    for (const SchemaObject& o : s.objects) {
      if (key_names.count(o.name) && keys.count(Key(o))) out.objects.push_back(o);
    }
    return out;
  };
  return DiffSnapshots(part(a), part(b));
}

}  // namespace internal

std::string SnapshotText(const Snapshot& snapshot) {
  std::string out = std::string("-- dbroll schema snapshot (") + DialectName(snapshot.dialect) +
                    "); generated, do not edit\n";
  std::string open_table;
  for (const SchemaObject& o : snapshot.objects) {
    if (o.table.empty()) {
      out += o.kind + " " + o.name + (o.definition.empty() ? "" : " " + o.definition) + "\n";
      open_table = o.kind == "table" ? o.name : "";
    } else if (o.table == open_table) {
      const std::string shortname = o.name.substr(o.table.size() + 1);
      // Unnamed constraints (SQLite) are named by their definition: say it once.
      out += "  " + o.kind + " " + shortname + (shortname == o.definition ? "" : " " + o.definition) + "\n";
    } else {
      // A child of something that is not a table in this snapshot (a trigger on a view).
      out += o.kind + " " + o.name + " " + o.definition + "\n";
    }
  }
  return out;
}

std::string SnapshotJson(const Snapshot& snapshot) {
  std::string out = std::string("{\n  \"format\": 1,\n  \"dialect\": \"") + DialectName(snapshot.dialect) +
                    "\",\n  \"objects\": [";
  bool first = true;
  for (const SchemaObject& o : snapshot.objects) {
    out += first ? "\n" : ",\n";
    first = false;
    out += "    {\"kind\": " + JsonString(o.kind) + ", \"name\": " + JsonString(o.name);
    if (!o.table.empty()) out += ", \"table\": " + JsonString(o.table);
    if (o.position > 0) out += ", \"position\": " + std::to_string(o.position);
    out += ", \"summary\": " + JsonString(o.summary) + ", \"definition\": " + JsonString(o.definition) + "}";
  }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::vector<SchemaChange> DiffSnapshots(const Snapshot& before, const Snapshot& after) {
  std::map<std::string, const SchemaObject*> a, b;
  for (const auto& o : before.objects) a[Key(o)] = &o;
  for (const auto& o : after.objects) b[Key(o)] = &o;
  std::vector<SchemaChange> out;
  for (const auto& [k, o] : a) {
    auto it = b.find(k);
    if (it == b.end()) {
      out.push_back({SchemaChange::Kind::kRemoved, *o, {}});
    } else if (it->second->definition != o->definition) {
      out.push_back({SchemaChange::Kind::kChanged, *o, *it->second});
    }
  }
  for (const auto& [k, o] : b) {
    if (!a.count(k)) out.push_back({SchemaChange::Kind::kAdded, {}, *o});
  }
  // Same columns in another order is a real difference (SELECT * and INSERT
  // without a column list see it), reported once per table.
  auto columns = [](const Snapshot& s) {
    std::map<std::string, std::vector<const SchemaObject*>> by_table;
    for (const auto& o : s.objects) {
      if (o.kind == "column") by_table[o.table].push_back(&o);
    }
    for (auto& [t, cols] : by_table) {
      std::sort(cols.begin(), cols.end(),
                [](const SchemaObject* x, const SchemaObject* y) { return x->position < y->position; });
    }
    return by_table;
  };
  auto ca = columns(before), cb = columns(after);
  for (const auto& [table, cols] : ca) {
    auto it = cb.find(table);
    if (it == cb.end()) continue;
    std::vector<std::string> na, nb;
    for (const auto* c : cols) na.push_back(c->name);
    for (const auto* c : it->second) nb.push_back(c->name);
    std::vector<std::string> sa = na, sb = nb;
    std::sort(sa.begin(), sa.end());
    std::sort(sb.begin(), sb.end());
    if (sa == sb && na != nb) {
      SchemaObject x{"table", table, "", "column order", "columns (" + ColumnOrder(cols) + ")", 0};
      SchemaObject y = x;
      y.definition = "columns (" + ColumnOrder(it->second) + ")";
      out.push_back({SchemaChange::Kind::kChanged, x, y});
    }
  }
  auto obj = [](const SchemaChange& c) -> const SchemaObject& {
    return c.kind == SchemaChange::Kind::kAdded ? c.after : c.before;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const SchemaChange& x, const SchemaChange& y) { return Before(obj(x), obj(y)); });
  return out;
}

namespace internal {

bool TableFilter::Excluded(std::string_view table) const {
  if (table.substr(0, 7) == "dbroll_") return true;
  return std::find(exclude_.begin(), exclude_.end(), table) != exclude_.end();
}

Result<std::vector<Row>> CatalogQuery(Driver& driver, const std::string& what, const std::string& sql) {
  auto rows = driver.Query(sql);
  if (!rows.ok()) {
    Status s = rows.status();
    s.Prepend("reading " + what + " from the catalog: ");
    return s;
  }
  return rows;
}

std::string CollapseSpace(std::string_view text) {
  std::string out;
  char quote = 0;
  bool pending_space = false;
  for (char c : text) {
    if (quote) {
      out += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      // No space just inside parentheses or before a comma: "( a ,b )" == "(a, b)".
      const char last = out.back();
      if (last != '(' && last != ' ' && c != ')' && c != ',') out += ' ';
      pending_space = false;
    }
    if ((c == ',' || c == ')') && !out.empty() && out.back() == ' ') out.pop_back();
    if (c == ',') {
      out += ", ";
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') quote = c;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::string& Text(const Row& row, size_t i) {
  static const std::string kEmpty;
  return i < row.size() && row[i] ? *row[i] : kEmpty;
}

}  // namespace internal
}  // namespace dbroll
