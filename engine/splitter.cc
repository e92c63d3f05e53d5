#include "engine/splitter.h"

#include <cctype>
#include <string>

namespace dbroll::internal {
namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

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
      if (start_ == std::string_view::npos) {
        if (std::isspace(static_cast<unsigned char>(c))) { ++pos_; continue; }
        if (dialect_ == Dialect::kMysql && AtDelimiterCommand()) continue;
      }
      if (depth_ == 0 && text_.compare(pos_, delimiter_.size(), delimiter_) == 0) {
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
        continue;
      }
      if (c == '$' && dialect_ == Dialect::kPostgres && !PrevIsWord()) {
        size_t tag_end = DollarTagEnd();
        if (tag_end != std::string_view::npos) {
          MarkStart();
          DBROLL_RETURN_IF_ERROR(SkipDollarQuote(tag_end));
          continue;
        }
      }
      if (IsWordChar(c)) {
        MarkStart();
        size_t b = pos_;
        while (pos_ < n && IsWordChar(text_[pos_])) ++pos_;
        OnWord(Upper(text_.substr(b, pos_ - b)));
        continue;
      }
      MarkStart();
      ++pos_;
    }
    Finish(n);
    return std::move(out_);
  }

 private:
  char Peek(size_t k) const { return pos_ + k < text_.size() ? text_[pos_ + k] : '\0'; }
  bool PrevIsWord() const { return pos_ > 0 && IsWordChar(text_[pos_ - 1]); }
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

  bool IsLineComment() const {
    const char c = text_[pos_];
    if (c == '#' && dialect_ == Dialect::kMysql) return true;
    if (c != '-' || Peek(1) != '-') return false;
    if (dialect_ != Dialect::kMysql) return true;
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
    if (dialect_ == Dialect::kPostgres && q == '\'' && pos_ > 0 &&
        (text_[pos_ - 1] == 'E' || text_[pos_ - 1] == 'e') &&
        (pos_ < 2 || !IsWordChar(text_[pos_ - 2]))) {
      backslash = true;
    }
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (backslash && c == '\\') { pos_ += 2; continue; }
      if (c == close) {
        if (close != ']' && Peek(1) == close) { pos_ += 2; continue; }
        ++pos_;
        return Status::Ok();
      }
      ++pos_;
    }
    const char* what = q == '\'' ? "unterminated string literal"
                                 : "unterminated quoted identifier";
    if (q == '"' && dialect_ == Dialect::kMysql) what = "unterminated string literal";
    return ErrorAt(open, what);
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
  std::string PeekWord() const {
    size_t i = pos_;
    while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    size_t b = i;
    while (i < text_.size() && IsWordChar(text_[i])) ++i;
    return Upper(text_.substr(b, i - b));
  }
  void SkipPeekedWord() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
  }

  // Tracks BEGIN ... END bodies so that their semicolons do not split.
  void OnWord(const std::string& w) {
    if (words_ < 8) {
      if (words_ == 0) first_word_ = w;
      if (first_word_ == "CREATE" &&
          (w == "TRIGGER" || w == "PROCEDURE" || w == "FUNCTION" || w == "EVENT")) {
        compound_ = dialect_ != Dialect::kSqlite || w == "TRIGGER";
      }
      ++words_;
    }
    if (!compound_) return;
    if (w == "BEGIN") {
      if (dialect_ != Dialect::kPostgres) {
        ++depth_;
      } else if (PeekWord() == "ATOMIC") {
        SkipPeekedWord();
        ++depth_;
      }
    } else if (w == "CASE" && depth_ > 0) {
      ++depth_;
    } else if (w == "END" && depth_ > 0) {
      const std::string next = PeekWord();
      if (next == "IF" || next == "LOOP" || next == "WHILE" || next == "REPEAT") {
        SkipPeekedWord();
      } else {
        if (next == "CASE") SkipPeekedWord();
        --depth_;
      }
    }
  }

  bool AtDelimiterCommand() {
    static constexpr std::string_view kWord = "DELIMITER";
    if (text_.size() - pos_ <= kWord.size()) return false;
    if (Upper(text_.substr(pos_, kWord.size())) != kWord) return false;
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
    words_ = 0;
    compound_ = false;
    first_word_.clear();
  }

  void AdvanceLineColumn(size_t to) {
    for (; counted_ < to && counted_ < text_.size(); ++counted_) {
      const unsigned char ch = static_cast<unsigned char>(text_[counted_]);
      if (ch == '\n') {
        ++line_;
        column_ = 1;
      } else if ((ch & 0xC0) != 0x80) {
        ++column_;
      }
    }
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
  int depth_ = 0;
  int words_ = 0;
  bool compound_ = false;
  std::string first_word_;
  std::vector<Statement> out_;
};

}  // namespace

Result<std::vector<Statement>> SplitStatements(const std::string& path, std::string_view text,
                                               Dialect dialect) {
  return Splitter(path, text, dialect).Run();
}

void LineColumnAt(std::string_view text, size_t offset, int* line, int* column) {
  int l = 1, c = 1;
  const size_t end = offset < text.size() ? offset : text.size();
  const size_t bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // not a column
  for (size_t i = bom; i < end; ++i) {
    const unsigned char ch = static_cast<unsigned char>(text[i]);
    if (ch == '\n') {
      ++l;
      c = 1;
    } else if ((ch & 0xC0) != 0x80) {
      ++c;
    }
  }
  *line = l;
  *column = c;
}

bool IsBlankSql(std::string_view text, Dialect dialect) {
  auto r = SplitStatements("", text, dialect);
  return r.ok() && r.value().empty();
}

}  // namespace dbroll::internal
