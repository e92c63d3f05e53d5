// A small read-only JSON tree for libpg_query's parse-tree output.
//
// libpg_query only offers its tree as JSON (or protobuf, whose headers are not
// installed). Building an nlohmann::json DOM for every statement (a std::map and
// a std::string per key, one allocation per node) cost more than PostgreSQL's
// own parser; this tree parses in one pass into a flat node array, keeps keys
// and strings as views into the source text (only strings with escapes are
// decoded into side storage) and is reused across statements, so a parse does
// not allocate once the buffers are warm.
//
// Semantics follow what the walker relied on with nlohmann::json:
//   - object members are visited in ascending key order (std::map order);
//   - a missing member or a non-object lookup reads as null;
//   - iterating null visits nothing, an object visits its member values, a
//     scalar visits itself.
#ifndef DBROLL_LINT_JSON_TREE_H_
#define DBROLL_LINT_JSON_TREE_H_

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dbroll::lint {

class JsonTree {
 public:
  enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  struct Node {
    std::string_view key;  // member name when the node is an object member
    std::string_view str;  // string value
    union {
      int64_t i;
      double d;
    };
    uint32_t first = 0;  // index of the first child in the node array
    uint32_t count = 0;  // children (array elements or object members)
    Type type = Type::kNull;
    bool b = false;
    Node() : i(0) {}
  };

  class Ref;

  // Parses `text` (NUL-terminated), replacing any previous tree. A malformed
  // document yields a null root, as nlohmann's non-throwing parse did.
  bool Parse(const char* text) {
    nodes_.clear();
    stack_.clear();
    decoded_.clear();
    p_ = text;
    Node root;
    bool ok = Value(&root);
    if (ok) {
      Ws();
      ok = *p_ == '\0';
    }
    nodes_.push_back(ok ? root : Node());
    return ok;
  }

  Ref root() const;

 private:
  friend class Ref;

  // Byte order, as std::string's operator< (and so std::map) sorts keys.
  static bool Less(std::string_view a, std::string_view b) {
    const size_t n = a.size() < b.size() ? a.size() : b.size();
    for (size_t k = 0; k < n; ++k) {
      const unsigned char x = static_cast<unsigned char>(a[k]), y = static_cast<unsigned char>(b[k]);
      if (x != y) return x < y;
    }
    return a.size() < b.size();
  }

  void Ws() {
    while (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r') ++p_;
  }

  bool Value(Node* out) {
    Ws();
    switch (*p_) {
      case '{': return Container(out, true);
      case '[': return Container(out, false);
      case '"':
        out->type = Type::kString;
        return String(&out->str);
      case 't': return Word("true", Type::kBool, true, out);
      case 'f': return Word("false", Type::kBool, false, out);
      case 'n': return Word("null", Type::kNull, false, out);
      default: return Number(out);
    }
  }

  // The literal `word` (true, false, null) at p_.
  bool Word(const char* word, Type type, bool b, Node* out) {
    const size_t n = std::strlen(word);
    if (std::strncmp(p_, word, n) != 0) return false;
    p_ += n;
    out->type = type;
    out->b = b;
    return true;
  }

  bool Number(Node* out) {
    const char* s = p_;
    if (*p_ == '-') ++p_;
    if (*p_ < '0' || *p_ > '9') return false;
    bool integral = true;
    while ((*p_ >= '0' && *p_ <= '9') || *p_ == '.' || *p_ == 'e' || *p_ == 'E' || *p_ == '+' || *p_ == '-') {
      if (*p_ == '.' || *p_ == 'e' || *p_ == 'E') integral = false;
      ++p_;
    }
    char* end = nullptr;
    if (integral && p_ - s <= 18) {  // fits in int64 without overflow checks
      const bool neg = *s == '-';
      int64_t v = 0;
      for (const char* c = s + neg; c < p_; ++c) {
        if (*c < '0' || *c > '9') return false;
        v = v * 10 + (*c - '0');
      }
      out->type = Type::kInt;
      out->i = neg ? -v : v;
      return true;
    }
    if (integral) {
      errno = 0;
      const long long v = std::strtoll(s, &end, 10);
      if (errno == 0 && end == p_) {
        out->type = Type::kInt;
        out->i = v;
        return true;
      }
    }
    out->type = Type::kDouble;
    out->d = std::strtod(s, &end);
    return end == p_;
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool Hex4(unsigned* cp) {
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const int h = Hex(p_[k]);
      if (h < 0) return false;
      v = v * 16 + static_cast<unsigned>(h);
    }
    p_ += 4;
    *cp = v;
    return true;
  }
  static void Utf8(unsigned cp, std::string* o) {
    if (cp < 0x80) {
      o->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      o->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      o->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      o->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      o->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      o->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      o->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // At the opening quote. Plain strings stay views into the source text.
  bool String(std::string_view* out) {
    const char* s = ++p_;
    while (*p_ != '"' && *p_ != '\\') {
      if (*p_ == '\0') return false;
      ++p_;
    }
    if (*p_ == '"') {
      *out = std::string_view(s, static_cast<size_t>(p_ - s));
      ++p_;
      return true;
    }
    std::string& d = decoded_.emplace_back(s, static_cast<size_t>(p_ - s));
    for (;;) {
      const char c = *p_;
      if (c == '\0') return false;
      if (c == '"') {
        ++p_;
        break;
      }
      if (c != '\\') {
        d.push_back(c);
        ++p_;
        continue;
      }
      ++p_;
      switch (*p_++) {
        case '"': d.push_back('"'); break;
        case '\\': d.push_back('\\'); break;
        case '/': d.push_back('/'); break;
        case 'b': d.push_back('\b'); break;
        case 'f': d.push_back('\f'); break;
        case 'n': d.push_back('\n'); break;
        case 'r': d.push_back('\r'); break;
        case 't': d.push_back('\t'); break;
        case 'u': {
          unsigned cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo = 0;
            if (p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!Hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          Utf8(cp, &d);
          break;
        }
        default: return false;
      }
    }
    *out = d;
    return true;
  }

  // Children are collected on a scratch stack, then moved to the node array
  // in one contiguous run (object members sorted by key).
  bool Container(Node* out, bool object) {
    ++p_;
    const size_t mark = stack_.size();
    Ws();
    const char close = object ? '}' : ']';
    if (*p_ == close) {
      ++p_;
    } else {
      for (;;) {
        Node child;
        if (object) {
          Ws();
          if (*p_ != '"' || !String(&child.key)) return false;
          Ws();
          if (*p_++ != ':') return false;
        }
        if (!Value(&child)) return false;
        stack_.push_back(child);
        Ws();
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ == close) {
          ++p_;
          break;
        }
        return false;
      }
    }
    out->type = object ? Type::kObject : Type::kArray;
    out->first = static_cast<uint32_t>(nodes_.size());
    out->count = static_cast<uint32_t>(stack_.size() - mark);
    if (object && out->count > 1) {
      // Insertion sort: members are few and libpg_query mostly emits them sorted.
      Node* b = stack_.data() + mark;
      Node* e = stack_.data() + stack_.size();
      for (Node* i = b + 1; i < e; ++i) {
        if (!Less(i->key, (i - 1)->key)) continue;
        Node tmp = *i;
        Node* j = i;
        do {
          *j = *(j - 1);
          --j;
        } while (j > b && Less(tmp.key, (j - 1)->key));
        *j = tmp;
      }
    }
    nodes_.insert(nodes_.end(), stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return true;
  }

  std::vector<Node> nodes_;
  std::vector<Node> stack_;
  std::deque<std::string> decoded_;
  const char* p_ = nullptr;
};

// A position in a tree; a default Ref (or a missing member) is null.
class JsonTree::Ref {
 public:
  Ref() = default;
  Ref(const JsonTree* t, const Node* n) : t_(t), n_(n) {}

  Type type() const { return n_ ? n_->type : Type::kNull; }
  bool is_null() const { return type() == Type::kNull; }
  bool is_object() const { return type() == Type::kObject; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_string() const { return type() == Type::kString; }
  bool is_boolean() const { return type() == Type::kBool; }
  bool is_number() const { return type() == Type::kInt || type() == Type::kDouble; }

  bool boolean() const { return n_->b; }
  int int_value() const { return type() == Type::kInt ? static_cast<int>(n_->i) : static_cast<int>(n_->d); }
  // The string value; like nlohmann's get<std::string>(), anything else throws.
  std::string string() const {
    if (!is_string()) throw std::domain_error("lint: expected a string in the parse tree");
    return std::string(n_->str);
  }
  std::string_view view() const { return n_->str; }
  // Member name, for a member reached by iterating an object's children.
  std::string_view key() const { return n_->key; }

  // Number of elements as nlohmann counts them: null 0, scalar 1.
  size_t size() const {
    switch (type()) {
      case Type::kNull: return 0;
      case Type::kArray:
      case Type::kObject: return n_->count;
      default: return 1;
    }
  }
  bool empty() const { return size() == 0; }

  Ref operator[](size_t i) const { return is_array() && i < n_->count ? child(i) : Ref(); }
  Ref back() const { return child(n_->count - 1); }
  // Member by name; null when absent or when this is not an object.
  Ref at(std::string_view key) const {
    if (!is_object()) return Ref();
    const Node* b = &t_->nodes_[n_->first];
    const Node* e = b + n_->count;
    for (const Node* it = b; it != e; ++it) {
      if (it->key.size() == key.size() && std::memcmp(it->key.data(), key.data(), key.size()) == 0) {
        return Ref(t_, it);
      }
    }
    return Ref();
  }
  bool contains(std::string_view key) const { return at(key).n_ != nullptr; }

  // Iteration over children: array elements, object members (by key), a
  // scalar itself, nothing for null.
  class Iter {
   public:
    Iter(const JsonTree* t, const Node* n) : t_(t), n_(n) {}
    Ref operator*() const { return Ref(t_, n_); }
    Iter& operator++() {
      ++n_;
      return *this;
    }
    bool operator!=(const Iter& o) const { return n_ != o.n_; }

   private:
    const JsonTree* t_;
    const Node* n_;
  };
  Iter begin() const {
    if (is_array() || is_object()) return Iter(t_, n_->count ? &t_->nodes_[n_->first] : nullptr);
    return Iter(t_, is_null() ? nullptr : n_);
  }
  Iter end() const {
    if (is_array() || is_object()) return Iter(t_, n_->count ? &t_->nodes_[n_->first] + n_->count : nullptr);
    return Iter(t_, is_null() ? nullptr : n_ + 1);
  }

 private:
  Ref child(size_t i) const { return Ref(t_, &t_->nodes_[n_->first + i]); }

  const JsonTree* t_ = nullptr;
  const Node* n_ = nullptr;
};

inline JsonTree::Ref JsonTree::root() const { return Ref(this, &nodes_.back()); }

}  // namespace dbroll::lint

#endif  // DBROLL_LINT_JSON_TREE_H_
