#include "engine/splitter.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "engine/layouts.h"

namespace dbroll::internal {
namespace {

// Moves *line and *column over text[from, to): a newline starts a line, and
// each character (not each byte of a UTF-8 sequence) is a column.
void CountLinesColumns(std::string_view text, size_t from, size_t to, int* line, int* column) {
  for (size_t i = from; i < to; ++i) {
    const unsigned char ch = static_cast<unsigned char>(text[i]);
    if (ch == '\n') {
      ++*line;
      *column = 1;
    } else if ((ch & 0xC0) != 0x80) {
      ++*column;
    }
  }
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

// True when `word` equals the upper-case ASCII keyword `upper`, ignoring case.
bool Is(std::string_view word, std::string_view upper) {
  if (word.size() != upper.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

// The kind of a significant token (comments and whitespace are not tokens).
enum class Tok : char { kNone, kWord, kQuoted, kSemi, kDot, kColon, kComma, kOpen, kClose, kOther };

// What a statement creates, as far as its splitting cares: stored programs
// have bodies whose semicolons do not end the statement.
enum class Kind : char { kPlain, kRoutine, kTrigger, kEvent, kBlock };

// A statement of a stored-program body: how far DECLARE ... HANDLER FOR has come.
enum class Handler : char { kNone, kFor, kValue, kSqlstate, kNot, kAfterValue };

class Splitter {
 public:
  Splitter(const std::string& path, std::string_view text, Dialect dialect)
      : path_(path), text_(text), dialect_(dialect) {}

  Result<std::vector<Statement>> Run() {
    const size_t n = text_.size();
    // A UTF-8 byte order mark is not SQL: skip it (offsets stay file offsets,
    // columns do not count it).
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = counted_ = 3;
    while (pos_ < n) {
      const char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) { ++pos_; continue; }
      if (start_ == std::string_view::npos && dialect_ == Dialect::kMysql && AtDelimiterCommand()) {
        continue;
      }
      if (c == delimiter_[0] && AtStatementEnd()) {
        Finish(pos_);
        pos_ += delimiter_.size();
        continue;
      }
      if (IsLineComment()) { SkipLineComment(); continue; }
      if (c == '/' && Peek(1) == '*') {
        const bool executable = dialect_ == Dialect::kMysql && (Peek(2) == '!' || Peek(2) == '+');
        if (executable) MarkStart();
        DBROLL_RETURN_IF_ERROR(SkipBlockComment());
        continue;
      }
      if (c == '\'' || c == '"' || c == '`' || (c == '[' && dialect_ == Dialect::kSqlite)) {
        MarkStart();
        DBROLL_RETURN_IF_ERROR(SkipQuoted());
        OnToken(Tok::kQuoted, {});
        continue;
      }
      if (c == '$' && dialect_ == Dialect::kPostgres && pos_ != ident_end_) {
        size_t tag_end = DollarTagEnd();
        if (tag_end != std::string_view::npos) {
          MarkStart();
          DBROLL_RETURN_IF_ERROR(SkipDollarQuote(tag_end));
          OnToken(Tok::kQuoted, {});
          continue;
        }
      }
      if (IsWordChar(c)) {
        MarkStart();
        size_t b = pos_;
        // In PostgreSQL `$` continues an identifier but not a number or a
        // parameter: `1$$x$$` is 1 and a dollar quote, `$1$a$;$a$` is $1 and one.
        const bool number = dialect_ == Dialect::kPostgres &&
                            (std::isdigit(static_cast<unsigned char>(c)) ||
                             (c == '$' && std::isdigit(static_cast<unsigned char>(Peek(1)))));
        if (number && c == '$') ++pos_;
        // The mysql client sees a DELIMITER such as $$ even right after a word (END$$).
        const bool custom = delimiter_.size() != 1 || delimiter_[0] != ';';
        while (pos_ < n && IsWordChar(text_[pos_]) && !(number && text_[pos_] == '$') &&
               !(custom && text_[pos_] == delimiter_[0] &&
                 text_.compare(pos_, delimiter_.size(), delimiter_) == 0)) {
          ++pos_;
        }
        if (!number) ident_end_ = pos_;
        if (pos_ - b == 1 && (c == 'E' || c == 'e')) e_prefix_end_ = pos_;  // E'...' escapes
        OnToken(Tok::kWord, text_.substr(b, pos_ - b));
        continue;
      }
      MarkStart();
      ++pos_;
      OnPunct(c);
    }
    Finish(n);
    return std::move(out_);
  }

 private:
  char Peek(size_t k) const { return pos_ + k < text_.size() ? text_[pos_ + k] : '\0'; }
  void MarkStart() {
    if (start_ == std::string_view::npos) start_ = pos_;
  }

  Status ErrorAt(size_t offset, const std::string& what) const {
    int line = 0, col = 0;
    LineColumnAt(text_, offset, &line, &col);
    return Status(Code::kInvalidArgument, path_ + ":" + std::to_string(line) + ":" +
                                              std::to_string(col) + ": " + what +
                                              " -- close it and run dbroll again");
  }

  // Whether the delimiter at pos_ ends the statement.
  bool AtStatementEnd() const {
    if (text_.compare(pos_, delimiter_.size(), delimiter_) != 0) return false;
    // A MySQL DELIMITER other than `;` ends statements wherever it stands, as
    // in the mysql client: the body tracking below only serves `;`.
    if (delimiter_.size() != 1 || delimiter_[0] != ';') return true;
    switch (dialect_) {
      case Dialect::kPostgres:
        // As in psql and libpg_query: `;` inside parentheses (CREATE RULE ...
        // DO (a; b)) or inside a BEGIN ATOMIC body is part of the statement.
        return paren_ == 0 && depth_ == 0;
      case Dialect::kSqlite:
        // As sqlite3_complete(): a trigger ends at `; END ;`.
        return depth_ == 0 || (prev_ == Tok::kWord && Is(prev_word_, "END") && prev2_ == Tok::kSemi);
      case Dialect::kMysql:
        return depth_ == 0;
    }
    return true;
  }

  bool IsLineComment() const {
    const char c = text_[pos_];
    if (c == '#' && dialect_ == Dialect::kMysql) return true;
    if (c != '-' || Peek(1) != '-') return false;
    if (dialect_ != Dialect::kMysql) return true;
    // The mysql/mariadb client drops `--` and the rest of the line as a comment
    // before a statement has begun even with no space after it (`--DROP ...`),
    // and dbroll runs what the client runs. Within a statement the server's
    // rule holds: `--` then a space or control character (`SELECT 1--1` is 2).
    if (start_ == std::string_view::npos) return true;
    const char after = Peek(2);
    return after == '\0' || std::isspace(static_cast<unsigned char>(after)) ||
           std::iscntrl(static_cast<unsigned char>(after));
  }
  void SkipLineComment() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }
  Status SkipBlockComment() {
    const size_t open = pos_;
    const bool nests = dialect_ == Dialect::kPostgres;
    int level = 0;
    while (pos_ < text_.size()) {
      if (text_[pos_] == '/' && Peek(1) == '*' && (nests || level == 0)) {
        ++level;
        pos_ += 2;
      } else if (text_[pos_] == '*' && Peek(1) == '/') {
        pos_ += 2;
        if (--level == 0) return Status::Ok();
      } else {
        ++pos_;
      }
    }
    return ErrorAt(open, "unterminated block comment");
  }
  Status SkipQuoted() {
    const size_t open = pos_;
    const char q = text_[pos_];
    const char close = q == '[' ? ']' : q;
    bool backslash = false;
    if (dialect_ == Dialect::kMysql && (q == '\'' || q == '"')) backslash = true;
    if (dialect_ == Dialect::kPostgres && q == '\'' && pos_ == e_prefix_end_) backslash = true;
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (backslash && c == '\\') { pos_ += 2; continue; }
      if (c == close) {
        if (close != ']' && Peek(1) == close) { pos_ += 2; continue; }
        ++pos_;
        // PostgreSQL continues E'...' in a quote after whitespace holding a
        // newline: E'a'\n'b\'c' is one escape string.
        if (backslash && dialect_ == Dialect::kPostgres) {
          const size_t next = StringContinuation(pos_);
          if (next != std::string_view::npos) {
            pos_ = next + 1;
            continue;
          }
        }
        return Status::Ok();
      }
      ++pos_;
    }
    const char* what = q == '\'' ? "unterminated string literal"
                                 : "unterminated quoted identifier";
    if (q == '"' && dialect_ == Dialect::kMysql) what = "unterminated string literal";
    return ErrorAt(open, what);
  }
  // PostgreSQL continues a string literal in a quote that follows blanks
  // holding a newline (not comments, as libpg_query's scanner shows): the
  // offset of that quote, or npos.
  size_t StringContinuation(size_t i) const {
    bool newline = false;
    for (; i < text_.size(); ++i) {
      const char c = text_[i];
      if (c == '\n' || c == '\r') {
        newline = true;
      } else if (c != ' ' && c != '\t' && c != '\f') {
        break;
      }
    }
    return newline && i < text_.size() && text_[i] == '\'' ? i : std::string_view::npos;
  }
  size_t DollarTagEnd() const {
    size_t i = pos_ + 1;
    if (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]))) return std::string_view::npos;
    while (i < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_' ||
                                static_cast<unsigned char>(text_[i]) >= 0x80)) {
      ++i;
    }
    if (i < text_.size() && text_[i] == '$') return i + 1;
    return std::string_view::npos;
  }
  Status SkipDollarQuote(size_t tag_end) {
    const size_t open = pos_;
    const std::string_view tag = text_.substr(pos_, tag_end - pos_);
    const size_t close = text_.find(tag, tag_end);
    if (close == std::string_view::npos) return ErrorAt(open, "unterminated dollar-quoted string");
    pos_ = close + tag.size();
    return Status::Ok();
  }

  // The offset of the first token at or after i, past whitespace and comments.
  size_t SkipBlank(size_t i) const {
    const size_t n = text_.size();
    while (i < n) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if ((c == '-' && i + 1 < n && text_[i + 1] == '-' &&
                  (dialect_ != Dialect::kMysql || i + 2 >= n ||
                   std::isspace(static_cast<unsigned char>(text_[i + 2])))) ||
                 (c == '#' && dialect_ == Dialect::kMysql)) {
        while (i < n && text_[i] != '\n') ++i;
      } else if (c == '/' && i + 1 < n && text_[i + 1] == '*') {
        int level = 0;
        while (i < n) {
          if (text_[i] == '/' && i + 1 < n && text_[i + 1] == '*' &&
              (level == 0 || dialect_ == Dialect::kPostgres)) {
            ++level;
            i += 2;
          } else if (text_[i] == '*' && i + 1 < n && text_[i + 1] == '/') {
            i += 2;
            if (--level == 0) break;
          } else {
            ++i;
          }
        }
      } else {
        break;
      }
    }
    return i;
  }

  // The word after pos_ (or after *from), past whitespace and comments; *from moves past it.
  std::string_view PeekWord(size_t* from = nullptr) const {
    size_t i = SkipBlank(from ? *from : pos_);
    size_t b = i;
    while (i < text_.size() && IsWordChar(text_[i])) ++i;
    if (from) *from = i;
    return text_.substr(b, i - b);
  }
  void SkipPeekedWord() { PeekWord(&pos_); }
  // `BEGIN NOT ATOMIC` (MariaDB) follows; moves past it when `skip`.
  bool NotAtomicFollows(bool skip) {
    size_t i = pos_;
    if (!Is(PeekWord(&i), "NOT") || !Is(PeekWord(&i), "ATOMIC")) return false;
    if (skip) pos_ = i;
    return true;
  }
  // A `:` (not `:=`) follows: the word before it is a label.
  bool ColonFollows() const {
    const size_t i = SkipBlank(pos_);
    return i < text_.size() && text_[i] == ':' && (i + 1 >= text_.size() || text_[i + 1] != '=');
  }

  void OnPunct(char c) {
    Tok t = Tok::kOther;
    switch (c) {
      case ';': t = Tok::kSemi; break;
      case '.': t = Tok::kDot; break;
      case ':': t = Tok::kColon; break;
      case ',': t = Tok::kComma; break;
      case '(': t = Tok::kOpen; ++paren_; break;
      case ')':
        t = Tok::kClose;
        if (paren_ > 0) --paren_;
        break;
      default: break;
    }
    prev_char_ = c;
    OnToken(t, {});
  }

  // Every significant token of the statement, in order. Tracks what the
  // statement creates and the BEGIN ... END bodies whose semicolons do not split.
  void OnToken(Tok t, std::string_view word) {
    if (t == Tok::kWord) {
      DetectKind(word);
    } else if (creating_ && dialect_ != Dialect::kMysql) {
      creating_ = false;  // CREATE ( ... or CREATE "x": not a program
    }
    switch (dialect_) {
      case Dialect::kPostgres:
        if (t == Tok::kWord && kind_ == Kind::kRoutine) PostgresWord(word);
        break;
      case Dialect::kSqlite:
        // As sqlite3_complete(): from [EXPLAIN ...] CREATE [TEMP] TRIGGER on,
        // only `; END ;` ends the statement, whether or not a BEGIN came.
        if (kind_ == Kind::kTrigger) depth_ = 1;
        break;
      case Dialect::kMysql:
        MysqlToken(t, word);
        break;
    }
    prev2_ = prev_;
    prev_ = t;
    if (t == Tok::kWord) prev_word_ = word;
    ++tokens_;
  }

  // CREATE [OR REPLACE] [DEFINER = user] [AGGREGATE] {PROCEDURE | FUNCTION | TRIGGER | EVENT}
  // (PostgreSQL: functions and procedures; SQLite: CREATE [TEMP] TRIGGER).
  void DetectKind(std::string_view w) {
    if (tokens_ == 0 || explain_) {
      // SQLite: EXPLAIN [QUERY PLAN ...] CREATE TRIGGER is a trigger too.
      explain_ = dialect_ == Dialect::kSqlite && !Is(w, "CREATE") &&
                 (tokens_ == 0 ? Is(w, "EXPLAIN")
                               : !(Is(w, "EXPLAIN") || Is(w, "TEMP") || Is(w, "TEMPORARY") ||
                                   Is(w, "TRIGGER") || Is(w, "END")));
      creating_ = Is(w, "CREATE");
      return;
    }
    if (!creating_) return;
    Kind k = Kind::kPlain;
    if (Is(w, "FUNCTION") || Is(w, "PROCEDURE")) {
      if (dialect_ != Dialect::kSqlite) k = Kind::kRoutine;
    } else if (Is(w, "TRIGGER")) {
      if (dialect_ != Dialect::kPostgres) k = Kind::kTrigger;
    } else if (Is(w, "EVENT")) {
      if (dialect_ == Dialect::kMysql) k = Kind::kEvent;
    } else if (Is(w, "OR") || Is(w, "REPLACE")) {
      if (dialect_ != Dialect::kSqlite) return;
    } else if (Is(w, "TEMP") || Is(w, "TEMPORARY")) {
      if (dialect_ == Dialect::kSqlite) return;
    } else if (Is(w, "DEFINER") || Is(w, "CURRENT_USER") || Is(w, "AGGREGATE") ||
               (prev_ == Tok::kOther && (prev_char_ == '=' || prev_char_ == '@'))) {
      if (dialect_ == Dialect::kMysql) return;  // DEFINER=user@host
    }
    creating_ = false;
    if (paren_ > 0 && dialect_ != Dialect::kSqlite) return;
    kind_ = k;
    header_ = k != Kind::kPlain;
  }

  // PostgreSQL: a SQL-standard body, BEGIN ATOMIC ... END, with CASE ... END inside.
  void PostgresWord(std::string_view w) {
    if (prev_ == Tok::kDot) return;  // t.end is a column
    if (Is(w, "BEGIN")) {
      if (Is(PeekWord(), "ATOMIC")) {
        SkipPeekedWord();
        ++depth_;
      }
    } else if (depth_ > 0 && Is(w, "CASE")) {
      ++depth_;
    } else if (depth_ > 0 && Is(w, "END") && !(prev_ == Tok::kWord && Is(prev_word_, "AS"))) {
      --depth_;
    }
  }

  // MySQL/MariaDB stored programs. A BEGIN opens a compound statement only
  // where a statement starts inside a stored program (the body after the
  // header, after `;`, a label `lbl:`, THEN, ELSE, DO, LOOP, REPEAT or a
  // handler's condition list), or as BEGIN NOT ATOMIC; anywhere else `begin`
  // is an identifier (NEW.begin, a column, an alias). An END closes one only
  // where a statement would start (END IF, END LOOP, END WHILE, END REPEAT,
  // END FOR and END CASE close other things); elsewhere it ends a CASE
  // expression or is an identifier.
  void MysqlToken(Tok t, std::string_view w) {
    if (tokens_ == 0 && t == Tok::kWord && Is(w, "BEGIN") && NotAtomicFollows(false)) {
      kind_ = Kind::kBlock;  // MariaDB anonymous block
      stmt_start_ = true;
    }
    if (kind_ == Kind::kPlain) return;
    if (header_ && MysqlHeader(t, w)) return;
    MysqlBody(t, w);
  }

  // Returns true while the token belongs to the header of the stored program.
  bool MysqlHeader(Tok t, std::string_view w) {
    switch (kind_) {
      case Kind::kTrigger:  // ... FOR EACH ROW [{FOLLOWS | PRECEDES} other] body
        if (t == Tok::kWord && paren_ == 0 && Is(w, "ROW") && prev_ == Tok::kWord &&
            Is(prev_word_, "EACH")) {
          header_ = false;
          stmt_start_ = true;
          order_pending_ = true;
        }
        return true;
      case Kind::kEvent:  // ... DO body
        if (t == Tok::kWord && paren_ == 0 && Is(w, "DO")) {
          header_ = false;
          stmt_start_ = true;
        }
        return true;
      case Kind::kRoutine:  // name (params) [RETURNS type] [characteristic...] body
        if (!params_done_) {
          if (t == Tok::kClose && paren_ == 0) params_done_ = true;
          return true;
        }
        if (paren_ > 0) return true;
        if (t == Tok::kColon) {  // lbl: BEGIN
          header_ = false;
          stmt_start_ = true;
          return true;
        }
        // Words that are neither types nor characteristics start the body;
        // anything else (RETURNS NATIONAL VARCHAR(10) ...) is still header.
        if (t != Tok::kWord || !StartsRoutineBody(w)) return true;
        header_ = false;
        stmt_start_ = true;
        return false;
      default:
        header_ = false;
        return false;
    }
  }

  bool StartsRoutineBody(std::string_view w) const {
    static constexpr std::string_view kWords[] = {
        "BEGIN", "RETURN", "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "CALL", "DO", "IF",
        "CASE", "WHILE", "LOOP", "REPEAT", "FOR", "DECLARE", "LEAVE", "ITERATE", "SIGNAL",
        "RESIGNAL", "OPEN", "CLOSE", "FETCH", "WITH", "VALUES", "TABLE", "CREATE", "DROP", "ALTER",
        "TRUNCATE", "RENAME", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PREPARE",
        "EXECUTE", "DEALLOCATE", "GET", "SHOW", "LOCK", "UNLOCK", "FLUSH", "KILL", "ANALYZE",
        "OPTIMIZE", "REPAIR", "GRANT", "REVOKE", "LOAD", "HANDLER", "PURGE", "RESET", "XA", "USE"};
    for (std::string_view k : kWords) {
      if (Is(w, k)) return true;
    }
    // SET starts a body, but not in CHARACTER SET x or RETURNS SET('a', 'b').
    return Is(w, "SET") &&
           !(prev_ == Tok::kWord && (Is(prev_word_, "CHARACTER") || Is(prev_word_, "RETURNS")));
  }

  void MysqlBody(Tok t, std::string_view w) {
    if (order_pending_) {
      order_pending_ = false;
      if (t == Tok::kWord && (Is(w, "FOLLOWS") || Is(w, "PRECEDES"))) {
        stmt_start_ = false;
        skip_name_ = true;
        return;
      }
    }
    if (skip_name_) {
      skip_name_ = false;
      stmt_start_ = true;
      return;
    }
    bool start = stmt_start_;
    stmt_start_ = false;
    if (handler_ != Handler::kNone) {
      if (HandlerStep(t, w)) return;
      start = true;  // the handler's statement
    }
    switch (t) {
      case Tok::kSemi:
        stmt_start_ = true;
        case_expr_ = 0;
        return;
      case Tok::kColon:  // a label
        stmt_start_ = true;
        return;
      case Tok::kWord:
        break;
      default:
        return;
    }
    if (prev_ == Tok::kDot) return;  // NEW.begin, t.end
    if (Is(w, "BEGIN")) {
      const bool not_atomic = NotAtomicFollows(true);
      if ((start || not_atomic) && !ColonFollows()) {
        ++depth_;
        stmt_start_ = true;
      }
    } else if (Is(w, "END")) {
      if (start) {
        const std::string_view next = PeekWord();
        if (Is(next, "IF") || Is(next, "LOOP") || Is(next, "WHILE") || Is(next, "REPEAT") ||
            Is(next, "CASE") || Is(next, "FOR")) {  // END FOR: MariaDB's FOR ... DO loops
          SkipPeekedWord();
        } else if (depth_ > 0 && !ColonFollows()) {
          --depth_;
        }
      } else if (case_expr_ > 0 && PrevIsOperand()) {
        --case_expr_;  // else `end` is a column: CASE WHEN a THEN end ELSE 0 END
      }
    } else if (Is(w, "CASE")) {
      if (!start) ++case_expr_;
    } else if (Is(w, "THEN") || Is(w, "ELSE")) {
      stmt_start_ = case_expr_ == 0;
    } else if (Is(w, "DO") || Is(w, "LOOP") || Is(w, "REPEAT")) {
      stmt_start_ = true;
    } else if (Is(w, "HANDLER")) {
      handler_ = Handler::kFor;
    }
  }

  // Whether the previous token can end an operand, so that an END after it
  // ends a CASE expression rather than naming a column.
  bool PrevIsOperand() const {
    if (prev_ == Tok::kQuoted || prev_ == Tok::kClose) return true;
    if (prev_ != Tok::kWord) return false;
    static constexpr std::string_view kOperators[] = {
        "THEN", "ELSE", "WHEN", "CASE", "AND", "OR", "NOT", "XOR", "IS", "LIKE", "IN", "BETWEEN",
        "DIV", "MOD", "REGEXP", "RLIKE", "ESCAPE", "BINARY", "INTERVAL", "DISTINCT", "SELECT", "SET",
        "RETURN", "WHERE", "BY", "ON", "AS"};
    for (std::string_view k : kOperators) {
      if (Is(prev_word_, k)) return false;
    }
    return true;
  }

  // DECLARE ... HANDLER FOR value [, value]... statement. Returns true while
  // the token belongs to the condition list.
  bool HandlerStep(Tok t, std::string_view w) {
    const bool word = t == Tok::kWord;
    switch (handler_) {
      case Handler::kFor:
        handler_ = word && Is(w, "FOR") ? Handler::kValue : Handler::kNone;
        return true;
      case Handler::kValue:
        handler_ = word && Is(w, "SQLSTATE") ? Handler::kSqlstate
                   : word && Is(w, "NOT")    ? Handler::kNot
                                             : Handler::kAfterValue;
        return true;
      case Handler::kSqlstate:
        if (!(word && Is(w, "VALUE"))) handler_ = Handler::kAfterValue;
        return true;
      case Handler::kNot:
        handler_ = Handler::kAfterValue;
        return true;
      case Handler::kAfterValue:
        if (t == Tok::kComma) {
          handler_ = Handler::kValue;
          return true;
        }
        handler_ = Handler::kNone;
        return false;
      case Handler::kNone:
        break;
    }
    return false;
  }

  bool AtDelimiterCommand() {
    static constexpr std::string_view kWord = "DELIMITER";
    if (text_.size() - pos_ <= kWord.size()) return false;
    if (!Is(text_.substr(pos_, kWord.size()), kWord)) return false;
    size_t i = pos_ + kWord.size();
    if (text_[i] != ' ' && text_[i] != '\t') return false;
    while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t')) ++i;
    size_t b = i;
    while (i < text_.size() && !std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    if (i == b) return false;
    delimiter_ = std::string(text_.substr(b, i - b));
    while (i < text_.size() && text_[i] != '\n') ++i;
    pos_ = i;
    return true;
  }

  void Finish(size_t end) {
    if (start_ != std::string_view::npos) {
      size_t e = end;
      while (e > start_ && std::isspace(static_cast<unsigned char>(text_[e - 1]))) --e;
      Statement s;
      s.text = std::string(text_.substr(start_, e - start_));
      s.path = path_;
      s.offset = start_;
      // Incremental from the previous statement: rescanning from the start of
      // the file made splitting quadratic (minutes for a 6 MB file).
      AdvanceLineColumn(start_);
      s.line = line_;
      s.column = column_;
      out_.push_back(std::move(s));
    }
    start_ = std::string_view::npos;
    depth_ = 0;
    paren_ = 0;
    tokens_ = 0;
    prev_ = prev2_ = Tok::kNone;
    prev_word_ = {};
    prev_char_ = '\0';
    kind_ = Kind::kPlain;
    creating_ = explain_ = header_ = params_done_ = false;
    stmt_start_ = order_pending_ = skip_name_ = false;
    handler_ = Handler::kNone;
    case_expr_ = 0;
  }

  void AdvanceLineColumn(size_t to) {
    const size_t end = std::min(to, text_.size());
    if (counted_ >= end) return;
    CountLinesColumns(text_, counted_, end, &line_, &column_);
    counted_ = end;
  }

  const std::string& path_;
  std::string_view text_;
  size_t counted_ = 0;  // line_/column_ are those of byte counted_
  int line_ = 1;
  int column_ = 1;
  Dialect dialect_;
  size_t pos_ = 0;
  size_t start_ = std::string_view::npos;
  std::string delimiter_ = ";";
  std::vector<Statement> out_;
  size_t ident_end_ = std::string_view::npos;  // where the last identifier or keyword ended
  size_t e_prefix_end_ = std::string_view::npos;  // where the last word `E` ended

  // State of the current statement, reset by Finish().
  int depth_ = 0;   // open BEGIN ... END bodies (SQLite: 1 inside a trigger body)
  int paren_ = 0;   // open parentheses
  int tokens_ = 0;  // significant tokens so far
  Tok prev_ = Tok::kNone;   // the previous token
  Tok prev2_ = Tok::kNone;  // the one before it
  std::string_view prev_word_;  // the last word token
  char prev_char_ = '\0';       // the last punctuation character
  Kind kind_ = Kind::kPlain;
  bool creating_ = false;     // CREATE [prefix words] so far
  bool explain_ = false;      // SQLite: EXPLAIN [words] so far
  bool header_ = false;       // in a stored program's header, before its body
  bool params_done_ = false;  // MySQL routine: the parameter list has closed
  bool stmt_start_ = false;   // MySQL body: the next token starts a statement
  bool order_pending_ = false;  // MySQL trigger: FOLLOWS/PRECEDES may follow FOR EACH ROW
  bool skip_name_ = false;      // MySQL trigger: the next token names the other trigger
  Handler handler_ = Handler::kNone;
  int case_expr_ = 0;  // MySQL body: open CASE expressions
};

}  // namespace

Result<std::vector<Statement>> SplitStatements(const std::string& path, std::string_view text,
                                               Dialect dialect) {
  // goose / sql-migrate StatementBegin/End blocks (engine/layouts.h).
  if (HasStatementBlocks(text)) return SplitWithStatementBlocks(path, text, dialect);
  return Splitter(path, text, dialect).Run();
}

void LineColumnAt(std::string_view text, size_t offset, int* line, int* column) {
  int l = 1, c = 1;
  const size_t end = offset < text.size() ? offset : text.size();
  const size_t bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // not a column
  CountLinesColumns(text, bom, end, &l, &c);
  *line = l;
  *column = c;
}

bool IsBlankSql(std::string_view text, Dialect dialect) {
  auto r = SplitStatements("", text, dialect);
  return r.ok() && r.value().empty();
}

}  // namespace dbroll::internal
