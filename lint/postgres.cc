// PostgreSQL statements through the real grammar (libpg_query), walked into
// Ops. JSON output is used rather than protobuf because the protobuf-c headers
// are not installed and one statement's JSON tree is small: parsing stays far
// below the time budget (see docs/benchmarks.md).
#include <pg_query.h>

#include <algorithm>
#include <string_view>

#include "engine/splitter.h"
#include "lint/facts.h"
#include "lint/json_tree.h"

namespace dbroll::lint {
namespace {

using J = JsonTree::Ref;

J At(J j, const char* key) { return j.at(key); }
std::string Str(J j, const char* key) {
  const J v = At(j, key);
  return v.is_string() ? Lower(v.string()) : std::string();
}
bool Bool(J j, const char* key) {
  const J v = At(j, key);
  return v.is_boolean() && v.boolean();
}
// Last element of a name list ([{"String":{"sval":"s"}}, ...]): drops the schema.
std::string LastName(J list) {
  if (!list.is_array() || list.empty()) return "";
  return Str(At(list.back(), "String"), "sval");
}
std::string RelName(J rangevar) { return Str(rangevar, "relname"); }

std::string TypeText(J type_name) {
  std::string t = LastName(At(type_name, "names"));
  J mods = At(type_name, "typmods");
  if (mods.is_array() && !mods.empty()) {
    t += "(";
    for (size_t i = 0; i < mods.size(); ++i) {
      if (i) t += ",";
      J ival = At(At(At(mods[i], "A_Const"), "ival"), "ival");
      t += ival.is_number() ? std::to_string(ival.int_value()) : "?";
    }
    t += ")";
  }
  if (At(type_name, "arrayBounds").is_array()) t += "[]";
  return t;
}

// Functions whose value changes per row: a default calling one makes
// PostgreSQL rewrite the table even on 11+.
bool CallsVolatile(J j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if ((*it).key() == "FuncCall") {
        const std::string f = LastName(At((*it), "funcname"));
        static const char* kVolatile[] = {"random", "gen_random_uuid", "uuid_generate_v1",
                                          "uuid_generate_v4", "clock_timestamp", "timeofday",
                                          "nextval", "txid_current", "setseed"};
        for (const char* v : kVolatile) {
          if (f == v) return true;
        }
      }
      if (CallsVolatile((*it))) return true;
    }
  } else if (j.is_array()) {
    for (J e : j) {
      if (CallsVolatile(e)) return true;
    }
  }
  return false;
}

void CollectCalls(J j, std::vector<std::string>* out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if ((*it).key() == "FuncCall") out->push_back(LastName(At((*it), "funcname")));
      CollectCalls((*it), out);
    }
  } else if (j.is_array()) {
    for (J e : j) CollectCalls(e, out);
  }
}

void ColumnConstraints(J coldef, Op* op) {
  for (J c : At(coldef, "constraints")) {
    J con = At(c, "Constraint");
    const std::string type = Str(con, "contype");
    if (type == "constr_notnull" || type == "constr_primary") op->not_null = true;
    if (type == "constr_default") {
      op->has_default = true;
      op->volatile_default = CallsVolatile(At(con, "raw_expr"));
      CollectCalls(At(con, "raw_expr"), &op->default_calls);
    }
    if (type == "constr_identity" || type == "constr_generated") op->generated = true;
  }
}

bool IsPrimaryKey(J coldef) {
  for (J c : At(coldef, "constraints")) {
    if (Str(At(c, "Constraint"), "contype") == "constr_primary") return true;
  }
  return false;
}

// The value of `SET name = value` as text: "0", "5s", ... (libpg_query leaves
// a zero integer out of its JSON).
std::string SetValue(J args) {
  if (!args.is_array() || args.empty()) return "";
  J c = At(args[0], "A_Const");
  J sval = At(At(c, "sval"), "sval");
  if (sval.is_string()) return Lower(sval.string());
  J ival = At(At(c, "ival"), "ival");
  if (ival.is_number()) return std::to_string(ival.int_value());
  return c.contains("ival") ? "0" : "";
}

class Walker {
 public:
  explicit Walker(StatementFacts* f) : f_(f) {}

  void Statement(J node, bool in_do) {
    in_do_ = in_do;
    if (!node.is_object() || node.empty()) return;
    const J member = *node.begin();
    const std::string_view kind = member.key();
    J n = member;
    if (kind == "CreateStmt") {
      Op op = Make(OpKind::kCreateTable, "table", RelName(At(n, "relation")));
      // A unique key whose columns are all NOT NULL identifies rows too
      // (keep-data restores by it).
      std::set<std::string> not_null;
      std::vector<std::vector<std::string>> unique_keys;
      for (J e : At(n, "tableElts")) {
        J cd = At(e, "ColumnDef");
        if (cd.is_null()) {
          J con = At(e, "Constraint");
          const std::string contype = Str(con, "contype");
          if (contype == "constr_primary") {
            for (J k : At(con, "keys")) op.primary_key.push_back(Str(At(k, "String"), "sval"));
          } else if (contype == "constr_unique" && !At(con, "keys").empty()) {
            std::vector<std::string> key;
            for (J k : At(con, "keys")) key.push_back(Str(At(k, "String"), "sval"));
            unique_keys.push_back(key);
          }
          continue;
        }
        op.columns.push_back(Str(cd, "colname"));
        op.column_types.push_back(TypeText(At(cd, "typeName")));
        if (IsPrimaryKey(cd)) op.primary_key.push_back(op.columns.back());
        for (J c : At(cd, "constraints")) {
          const std::string contype = Str(At(c, "Constraint"), "contype");
          if (contype == "constr_notnull") not_null.insert(op.columns.back());
          if (contype == "constr_unique") unique_keys.push_back({op.columns.back()});
        }
      }
      for (const auto& key : unique_keys) {
        op.declares_key = op.declares_key || std::all_of(key.begin(), key.end(), [&](const std::string& c) {
                            return not_null.count(c) > 0;
                          });
      }
      Add(std::move(op));
    } else if (kind == "CreateTableAsStmt") {
      const bool matview = Str(n, "objtype") == "object_matview";
      Add(Make(matview ? OpKind::kCreateObject : OpKind::kCreateTable,
               matview ? "materialized view" : "table", RelName(At(At(n, "into"), "rel"))));
    } else if (kind == "DropStmt") {
      Drop(n);
    } else if (kind == "DropdbStmt") {
      Op op = Make(OpKind::kDropDatabase, "database", Str(n, "dbname"));
      op.if_exists = Bool(n, "missing_ok");
      Add(std::move(op));
    } else if (kind == "CreatedbStmt") {
      Add(Make(OpKind::kCreateDatabase, "database", Str(n, "dbname")));
    } else if (kind == "CreateSchemaStmt") {
      Add(Make(OpKind::kCreateSchema, "schema", Str(n, "schemaname")));
    } else if (kind == "RenameStmt") {
      Rename(n);
    } else if (kind == "AlterTableStmt") {
      AlterTable(n);
    } else if (kind == "IndexStmt") {
      Op op = Make(OpKind::kCreateIndex, "index", RelName(At(n, "relation")));
      op.name = Str(n, "idxname");
      op.concurrently = Bool(n, "concurrent");
      Add(std::move(op));
    } else if (kind == "ReindexStmt") {
      // kind: REINDEX_OBJECT_INDEX / _TABLE name a relation; _SCHEMA,
      // _SYSTEM and _DATABASE a name.
      const std::string what = Str(n, "kind");
      const size_t u = what.rfind('_');
      Op op = Make(OpKind::kReindex, "", RelName(At(n, "relation")));
      op.object_type = u == std::string::npos ? "index" : what.substr(u + 1);
      if (op.table.empty()) op.table = Str(n, "name");
      op.concurrently = Bool(n, "concurrent");
      for (J p : At(n, "params")) op.concurrently = op.concurrently || Str(At(p, "DefElem"), "defname") == "concurrently";
      Add(std::move(op));
    } else if (kind == "TruncateStmt") {
      for (J r : At(n, "relations")) {
        Op op = Make(OpKind::kTruncate, "table", RelName(At(r, "RangeVar")));
        op.cascade = Str(n, "behavior") == "drop_cascade";
        Add(std::move(op));
      }
    } else if (kind == "TransactionStmt") {
      Op op = Make(OpKind::kTransactionControl, "", "");
      op.name = Str(n, "kind");
      Add(std::move(op));
    } else if (kind == "VariableSetStmt") {
      if (Str(n, "name") == "lock_timeout") Add(Make(OpKind::kSetLockTimeout, "", ""));
      if (Str(n, "name") == "statement_timeout" && Str(n, "kind") == "var_set_value") {
        Op op = Make(OpKind::kSetStatementTimeout, "", "");
        op.name = SetValue(At(n, "args"));
        Add(std::move(op));
      }
    } else if (kind == "CreateEnumStmt") {
      Op op = Make(OpKind::kCreateType, "type", LastName(At(n, "typeName")));
      for (J v : At(n, "vals")) op.values.push_back(At(At(v, "String"), "sval").string());
      Add(std::move(op));
    } else if (kind == "CompositeTypeStmt") {
      Add(Make(OpKind::kCreateType, "type", RelName(At(n, "typevar"))));
    } else if (kind == "CreateDomainStmt") {
      Add(Make(OpKind::kCreateType, "domain", LastName(At(n, "domainname"))));
    } else if (kind == "AlterEnumStmt") {
      Op op = Make(At(n, "oldVal").is_string() ? OpKind::kRenameEnumValue : OpKind::kAddEnumValue,
                   "type", LastName(At(n, "typeName")));
      op.name = At(n, "oldVal").is_string() ? At(n, "oldVal").string() : "";
      op.new_name = At(n, "newVal").is_string() ? At(n, "newVal").string() : "";
      Add(std::move(op));
    } else if (kind == "ViewStmt") {
      Add(Make(OpKind::kCreateObject, "view", RelName(At(n, "view"))));
    } else if (kind == "CreateSeqStmt") {
      Add(Make(OpKind::kCreateObject, "sequence", RelName(At(n, "sequence"))));
    } else if (kind == "CreateFunctionStmt") {
      // Only defined, not run: its body is not walked. Its volatility
      // (VOLATILE unless declared otherwise) goes to `name`.
      Op op = Make(OpKind::kCreateObject, Bool(n, "is_procedure") ? "procedure" : "function",
                   LastName(At(n, "funcname")));
      op.name = "volatile";
      for (J o : At(n, "options")) {
        J d = At(o, "DefElem");
        if (Str(d, "defname") == "volatility") op.name = Str(At(At(d, "arg"), "String"), "sval");
      }
      Add(std::move(op));
    } else if (kind == "CreateTrigStmt") {
      Add(Make(OpKind::kCreateObject, "trigger", Str(n, "trigname")));
    } else if (kind == "CreateExtensionStmt") {
      Add(Make(OpKind::kCreateObject, "extension", Str(n, "extname")));
    } else if (kind == "DeleteStmt" || kind == "UpdateStmt" || kind == "InsertStmt" ||
               kind == "SelectStmt") {
      Dml(node);
    } else if (kind == "DoStmt") {
      DoBlock(n);
    } else if (kind.find("Stmt") != std::string::npos && kind.rfind("Create", 0) == 0) {
      Add(Make(OpKind::kOtherDdl, "", ""));
    } else if (kind.rfind("Alter", 0) == 0 || kind.rfind("Drop", 0) == 0 || kind == "CommentStmt" ||
               kind == "GrantStmt") {
      Add(Make(OpKind::kOtherDdl, "", ""));
    }
  }

  // The body of a DO block runs now, so its SQL statements are linted as if
  // they were in the file; positions map back through the body's line numbers.
  void DoBlock(J n) {
    std::string body;
    for (J a : At(n, "args")) {
      J d = At(a, "DefElem");
      if (Str(d, "defname") == "as") body = At(At(At(d, "arg"), "String"), "sval").string();
      if (Str(d, "defname") == "language" && Str(At(At(d, "arg"), "String"), "sval") != "plpgsql") return;
    }
    if (body.empty()) return;
    const std::string fn = "CREATE FUNCTION dbroll_do() RETURNS void LANGUAGE plpgsql AS $dbroll_do$" +
                           body + "$dbroll_do$";
    PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(fn.c_str());
    if (r.error) {
      f_->parsed = false;
      f_->parse_error = std::string("in DO block: ") + r.error->message;
      pg_query_free_plpgsql_parse_result(r);
      return;
    }
    JsonTree tree;
    tree.Parse(r.plpgsql_funcs);
    const size_t body_at = f_->stmt.text.find(body);
    int body_line = f_->stmt.line;
    if (body_at != std::string::npos) {
      for (size_t i = 0; i < body_at; ++i) body_line += f_->stmt.text[i] == '\n';
    }
    std::vector<std::pair<std::string, int>> queries;
    CollectExecSql(tree.root(), &queries);
    pg_query_free_plpgsql_parse_result(r);  // the tree views its text
    for (const auto& [q, lineno] : queries) {
      PgQueryParseResult pr = pg_query_parse(q.c_str());
      if (pr.error) {
        pg_query_free_parse_result(pr);
        continue;
      }
      JsonTree inner;
      inner.Parse(pr.parse_tree);
      line_ = body_line + lineno - 1;
      column_ = ColumnOf(q, line_);
      for (J s : At(inner.root(), "stmts")) Statement(At(s, "stmt"), true);
      pg_query_free_parse_result(pr);  // the tree views its text
      line_ = column_ = 0;
    }
  }

 private:
  static void CollectExecSql(J j, std::vector<std::pair<std::string, int>>* out) {
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if ((*it).key() == "PLpgSQL_stmt_execsql") {
          J q = At(At(At((*it), "sqlstmt"), "PLpgSQL_expr"), "query");
          J l = At((*it), "lineno");
          if (q.is_string()) out->emplace_back(q.string(), l.is_number() ? l.int_value() : 1);
        } else {
          CollectExecSql((*it), out);
        }
      }
    } else if (j.is_array()) {
      for (J e : j) CollectExecSql(e, out);
    }
  }

  // Column of the query's first word on `line` of the file, else the line's start.
  int ColumnOf(const std::string& query, int line) const {
    const std::string& t = f_->stmt.text;
    int l = f_->stmt.line;
    size_t i = 0;
    while (i < t.size() && l < line) l += t[i++] == '\n';
    const size_t eol = t.find('\n', i);
    const std::string word = query.substr(0, query.find_first_of(" \t\n("));
    const size_t at = t.substr(i, eol == std::string::npos ? std::string::npos : eol - i).find(word);
    int line_out = 0, col = 1;
    internal::LineColumnAt(std::string_view(t).substr(i), at == std::string::npos ? 0 : at, &line_out, &col);
    return line == f_->stmt.line ? col + f_->stmt.column - 1 : col;
  }

  Op Make(OpKind kind, const char* object_type, std::string table) const {
    Op op;
    op.kind = kind;
    op.object_type = object_type;
    op.table = std::move(table);
    op.in_do_block = in_do_;
    op.line = line_;
    op.column = column_;
    return op;
  }
  void Add(Op op) { f_->ops.push_back(std::move(op)); }

  void Drop(J n) {
    static const std::pair<const char*, const char*> kTypes[] = {
        {"object_table", "table"}, {"object_index", "index"}, {"object_schema", "schema"},
        {"object_type", "type"},   {"object_domain", "domain"}, {"object_view", "view"},
        {"object_matview", "materialized view"}, {"object_sequence", "sequence"},
        {"object_function", "function"}, {"object_procedure", "procedure"},
        {"object_trigger", "trigger"}, {"object_extension", "extension"}};
    const std::string rt = Str(n, "removeType");
    const char* type = nullptr;
    for (const auto& [k, v] : kTypes) {
      if (rt == k) type = v;
    }
    if (!type) {
      Add(Make(OpKind::kOtherDdl, "", ""));
      return;
    }
    const std::string t = type;
    OpKind kind = OpKind::kDropObject;
    if (t == "table") kind = OpKind::kDropTable;
    if (t == "index") kind = OpKind::kDropIndex;
    if (t == "schema") kind = OpKind::kDropSchema;
    if (t == "type" || t == "domain") kind = OpKind::kDropType;
    for (J obj : At(n, "objects")) {
      std::string name;
      if (obj.contains("List")) {
        name = LastName(At(At(obj, "List"), "items"));
      } else if (obj.contains("String")) {
        name = Str(At(obj, "String"), "sval");
      } else if (obj.contains("TypeName")) {
        name = LastName(At(At(obj, "TypeName"), "names"));
      } else if (obj.contains("ObjectWithArgs")) {
        name = LastName(At(At(obj, "ObjectWithArgs"), "objname"));
      }
      Op op = Make(kind, type, name);
      if (kind == OpKind::kDropIndex) op.name = name;
      op.if_exists = Bool(n, "missing_ok");
      op.cascade = Str(n, "behavior") == "drop_cascade";
      op.concurrently = Bool(n, "concurrent");
      Add(std::move(op));
    }
  }

  void Rename(J n) {
    const std::string rt = Str(n, "renameType");
    if (rt == "object_column") {
      Op op = Make(OpKind::kRenameColumn, "column", RelName(At(n, "relation")));
      op.name = Str(n, "subname");
      op.new_name = Str(n, "newname");
      Add(std::move(op));
    } else if (rt == "object_table") {
      Op op = Make(OpKind::kRenameTable, "table", RelName(At(n, "relation")));
      op.new_name = Str(n, "newname");
      Add(std::move(op));
    } else {
      Add(Make(OpKind::kOtherDdl, "", ""));
    }
  }

  void AlterTable(J n) {
    const std::string table = RelName(At(n, "relation"));
    for (J c : At(n, "cmds")) {
      J cmd = At(c, "AlterTableCmd");
      const std::string sub = Str(cmd, "subtype");
      if (sub == "at_addcolumn") {
        J cd = At(At(cmd, "def"), "ColumnDef");
        Op op = Make(OpKind::kAddColumn, "column", table);
        op.name = Str(cd, "colname");
        op.type = TypeText(At(cd, "typeName"));
        ColumnConstraints(cd, &op);
        if (IsPrimaryKey(cd)) op.primary_key.push_back(op.name);
        Add(op);
        // Inline REFERENCES / UNIQUE on the new column validate against every row.
        for (J k : At(cd, "constraints")) {
          const std::string type = Str(At(k, "Constraint"), "contype");
          if (type == "constr_foreign" || type == "constr_check" || type == "constr_unique") {
            Op con = Make(OpKind::kAddConstraint, "constraint", table);
            con.constraint = type.substr(7);
            con.name = op.name;
            Add(std::move(con));
          }
        }
      } else if (sub == "at_dropcolumn") {
        Op op = Make(OpKind::kDropColumn, "column", table);
        op.name = Str(cmd, "name");
        op.if_exists = Bool(cmd, "missing_ok");
        op.cascade = Str(cmd, "behavior") == "drop_cascade";
        Add(std::move(op));
      } else if (sub == "at_altercolumntype") {
        Op op = Make(OpKind::kAlterColumnType, "column", table);
        op.name = Str(cmd, "name");
        op.type = TypeText(At(At(At(cmd, "def"), "ColumnDef"), "typeName"));
        Add(std::move(op));
      } else if (sub == "at_setnotnull" || sub == "at_dropnotnull") {
        Op op = Make(sub == "at_setnotnull" ? OpKind::kSetNotNull : OpKind::kDropNotNull, "column", table);
        op.name = Str(cmd, "name");
        Add(std::move(op));
      } else if (sub == "at_addconstraint") {
        J con = At(At(cmd, "def"), "Constraint");
        Op op = Make(OpKind::kAddConstraint, "constraint", table);
        op.constraint = Str(con, "contype").substr(7);
        op.name = Str(con, "conname");
        op.not_valid = Bool(con, "skip_validation");
        op.using_index = At(con, "indexname").is_string();
        Add(std::move(op));
      } else if (sub == "at_dropconstraint") {
        Op op = Make(OpKind::kDropConstraint, "constraint", table);
        op.name = Str(cmd, "name");
        Add(std::move(op));
      } else {
        Add(Make(OpKind::kOtherDdl, "", table));
      }
    }
  }

  // DELETE/UPDATE anywhere in the statement (CTEs, INSERT ... SELECT with a
  // data-modifying WITH) are found by walking the whole tree.
  void Dml(J j) {
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string_view k = (*it).key();
        if (k == "DeleteStmt" || k == "UpdateStmt") {
          Op op = Make(k == "DeleteStmt" ? OpKind::kDelete : OpKind::kUpdate, "table",
                       RelName(At((*it), "relation")));
          op.has_where = !At((*it), "whereClause").is_null();
          Add(std::move(op));
        } else if (k == "InsertStmt") {
          Add(Make(OpKind::kInsert, "table", RelName(At((*it), "relation"))));
        }
        Dml((*it));
      }
    } else if (j.is_array()) {
      for (J e : j) Dml(e);
    }
  }

  StatementFacts* f_;
  bool in_do_ = false;
  int line_ = 0;
  int column_ = 0;
};

}  // namespace

void AnalyzePostgres(StatementFacts* facts) {
  PgQueryParseResult r = pg_query_parse(facts->stmt.text.c_str());
  if (r.error) {
    facts->parsed = false;
    facts->parse_error = r.error->message;
    const int cursor = r.error->cursorpos > 0 ? r.error->cursorpos - 1 : 0;
    int line = 1, col = 1;
    internal::LineColumnAt(facts->stmt.text, static_cast<size_t>(cursor), &line, &col);
    facts->error_line = facts->stmt.line + line - 1;
    facts->error_column = line == 1 ? facts->stmt.column + col - 1 : col;
    pg_query_free_parse_result(r);
    return;
  }
  // One tree per thread, reused: its buffers stay warm across statements.
  thread_local JsonTree tree;
  tree.Parse(r.parse_tree);
  Walker w(facts);
  for (J s : At(tree.root(), "stmts")) w.Statement(At(s, "stmt"), false);
  pg_query_free_parse_result(r);  // the tree views its text
}

}  // namespace dbroll::lint
