// Helpers shared by the splitter's fuzz and property tests: a seeded random
// source and the iteration count / seed taken from the environment.
#ifndef DBROLL_TESTS_ENGINE_SPLITTER_FUZZ_UTIL_H_
#define DBROLL_TESTS_ENGINE_SPLITTER_FUZZ_UTIL_H_

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace dbroll::testing {

// DBROLL_FUZZ_ITERATIONS (default `fallback`) scripts, the i-th generated from
// seed DBROLL_FUZZ_SEED (default `seed`) + i, so that a failing script is
// reproduced alone by DBROLL_FUZZ_SEED=<its seed> DBROLL_FUZZ_ITERATIONS=1.
struct FuzzRun {
  uint64_t seed;
  int iterations;
};

// Skips whitespace and comments in s[i, end) as the reference splitters see
// them: `--` to the end of the line, and block comments, which nest when
// `nested` (PostgreSQL) and end at the first `*/` when not (SQLite).
inline size_t SkipBlank(const std::string& s, size_t i, size_t end, bool nested) {
  while (i < end) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      while (i < end && s[i] != '\n') ++i;
    } else if (s.compare(i, 2, "/*") == 0) {
      int open = 0;
      do {
        const bool opens = s.compare(i, 2, "/*") == 0 && (nested || open == 0);
        const bool closes = !opens && s.compare(i, 2, "*/") == 0;
        open += opens ? 1 : closes ? -1 : 0;
        i += opens || closes ? 2 : 1;
      } while (i < end && open > 0);
    } else {
      break;
    }
  }
  return i;
}

inline FuzzRun FuzzRunFromEnv(uint64_t seed, int fallback) {
  FuzzRun run{seed, fallback};
  if (const char* s = std::getenv("DBROLL_FUZZ_SEED")) run.seed = std::strtoull(s, nullptr, 10);
  if (const char* n = std::getenv("DBROLL_FUZZ_ITERATIONS")) run.iterations = std::atoi(n);
  return run;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  // Uniform in [0, n).
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(gen_); }
  // True with probability 1/n.
  bool OneIn(size_t n) { return Below(n) == 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Below(v.size())]; }

 private:
  std::mt19937_64 gen_;
};

// 1-based line and column (in UTF-8 characters) of byte `offset`, counted
// independently of the splitter's own LineColumnAt.
inline void CountLineColumn(const std::string& text, size_t offset, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++*line;
      *column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++*column;
    }
  }
}

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_ENGINE_SPLITTER_FUZZ_UTIL_H_
