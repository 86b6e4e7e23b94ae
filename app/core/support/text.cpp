#include "core/support/text.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace eco {

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7f || c1) {
      unsigned v = c1 ? static_cast<unsigned char>(s[++i]) : c;
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", v);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Refuse overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += len;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool utf8_next(std::string_view s, std::size_t& i, char32_t& c) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + static_cast<std::size_t>(len) > s.size()) {
    ++i;
    return false;
  }
  c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) {
    auto cb = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((cb >> 6) != 2) {
      ++i;
      return false;
    }
    c = (c << 6) | (cb & 0x3F);
  }
  i += static_cast<std::size_t>(len);
  return true;
}

LineCol line_col(std::string_view text, std::size_t offset) {
  LineCol lc;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') { ++lc.line; lc.column = 1; }
    else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++lc.column;
  }
  return lc;
}

std::string utf8_truncate(std::string_view s, std::size_t max_chars) {
  std::size_t i = 0, n = 0;
  while (i < s.size() && n < max_chars) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++n;
  }
  if (i >= s.size()) return std::string(s);
  return std::string(s.substr(0, i)) + "…";
}

namespace {
// One code point of free text as the masking sees it: an ASCII digit, X, '+', a
// separator (' '), or anything else (0), with where it sits in the text.
struct MaskChar {
  char c;
  std::size_t begin, end;
};

// Full-width digits, X and plus become ASCII (what NFKC does for them); the spaces
// and dashes people put inside a number become ' '.
char fold(std::uint32_t cp) {
  if (cp >= '0' && cp <= '9') return static_cast<char>(cp);
  if (cp >= 0xFF10 && cp <= 0xFF19) return static_cast<char>('0' + (cp - 0xFF10));
  if (cp == 'X' || cp == 'x' || cp == 0xFF38 || cp == 0xFF58) return 'X';
  if (cp == '+' || cp == 0xFF0B) return '+';
  if (cp == ' ' || cp == '-' || cp == 0x3000 || cp == 0xFF0D || cp == 0x00A0 || (cp >= 0x2010 && cp <= 0x2015) ||
      cp == 0x2212)
    return ' ';
  // Parentheses and dots also sit between digit groups: "+86 (138) 0013-8000", "138.0013.8000".
  if (cp == '(' || cp == ')' || cp == '.' || cp == 0xFF08 || cp == 0xFF09 || cp == 0xFF0E) return ' ';
  return 0;
}

std::vector<MaskChar> fold_text(std::string_view s) {
  std::vector<MaskChar> out;
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + len > s.size()) len = s.size() - i;
    std::uint32_t cp = len == 1 ? c : (c & (0xFF >> (len + 1)));
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back({fold(cp), i, i + len});
    i += len;
  }
  return out;
}

bool is_mobile(std::string_view d) { return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'; }

// YYMMDD (15-character IDs) or YYYYMMDD (18) that could be a birth date.
bool birth_date(std::string_view d) {
  int m = (d[d.size() - 4] - '0') * 10 + (d[d.size() - 3] - '0');
  int day = (d[d.size() - 2] - '0') * 10 + (d[d.size() - 1] - '0');
  return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

// Digits (and a final X) of consecutive groups that identify a person.
bool identifies(const std::string& d) {
  bool x = !d.empty() && d.back() == 'X';
  if (x && d.size() != 18) return false;
  if (d.find('X') != std::string::npos && !x) return false;
  if (is_mobile(d)) return true;
  if (d.size() == 13 && d.compare(0, 2, "86") == 0 && is_mobile(std::string_view(d).substr(2))) return true;
  if (d.size() == 15 && d.compare(0, 4, "0086") == 0 && is_mobile(std::string_view(d).substr(4))) return true;
  if (d.size() == 18) return true;                                            // resident ID (2nd generation)
  if (d.size() == 15) return birth_date(std::string_view(d).substr(6, 6));  // first-generation ID
  return false;
}
}  // namespace

int mask_personal(std::string& text) {
  // Numbers are found on a folded copy: groups of digits separated by one to three
  // spaces, dashes, dots or parentheses. Several groups can make one number ("+86 138 0013 8000"), and one run can
  // hold several numbers ("13800138000 13900139000", "5 13800138000"), so from each
  // group the longest run of following groups that forms a number wins.
  std::vector<MaskChar> cs = fold_text(text);
  struct Group { std::size_t first, last; std::string digits; };  // indices into cs
  std::vector<std::size_t> to_mask;
  int masked = 0;
  std::size_t i = 0;
  while (i < cs.size()) {
    if (!(cs[i].c >= '0' && cs[i].c <= '9')) { ++i; continue; }
    std::vector<Group> run;
    std::size_t j = i, run_len = 0;
    while (true) {
      Group g{j, j, {}};
      // An X only ends an ID number: after the 17th digit of the run or of this group.
      auto x_here = [&] { return cs[j].c == 'X' && (g.digits.size() == 17 || run_len + g.digits.size() == 17); };
      while (j < cs.size() && ((cs[j].c >= '0' && cs[j].c <= '9') || x_here())) {
        g.digits += cs[j].c;
        g.last = j++;
        if (g.digits.back() == 'X') break;
      }
      run_len += g.digits.size();
      // Numbers written together with nothing between them ("two IDs in one 36-digit
      // string", two mobiles in 22 digits) are cut into their parts.
      std::size_t part = g.digits.size() > 18 && g.digits.size() % 18 == 0 ? 18 : 0;
      if (!part && g.digits.size() > 11 && g.digits.size() % 11 == 0) {
        part = 11;
        for (std::size_t k = 0; k < g.digits.size(); k += 11)
          if (!is_mobile(std::string_view(g.digits).substr(k, 11))) part = 0;
      }
      if (part)
        for (std::size_t k = 0; k < g.digits.size(); k += part)
          run.push_back({g.first + k, g.first + k + part - 1, g.digits.substr(k, part)});
      else
        run.push_back(std::move(g));
      // One to three separators between groups ("138  0013  8000", ") ").
      std::size_t seps = 0;
      while (j + seps < cs.size() && cs[j + seps].c == ' ' && seps < 3) ++seps;
      if (seps > 0 && j + seps < cs.size() && cs[j + seps].c >= '0' && cs[j + seps].c <= '9' &&
          run.back().digits.back() != 'X') {
        j += seps;
        continue;
      }
      break;
    }
    std::size_t g = 0;
    while (g < run.size()) {
      std::size_t best = run.size();
      std::string d;
      for (std::size_t h = g; h < run.size() && d.size() + run[h].digits.size() <= 18; ++h) {
        d += run[h].digits;
        if (identifies(d)) best = h;
      }
      if (best == run.size()) { ++g; continue; }
      for (std::size_t h = g; h <= best; ++h)
        for (std::size_t k = run[h].first; k <= run[h].last; ++k) to_mask.push_back(k);
      ++masked;
      g = best + 1;
    }
    i = j > i ? j : i + 1;
  }
  if (to_mask.empty()) return 0;
  std::string out;
  out.reserve(text.size());
  std::size_t next = 0, pos = 0;
  for (std::size_t k = 0; k < cs.size(); ++k) {
    if (next < to_mask.size() && to_mask[next] == k) {
      out.append(text, pos, cs[k].begin - pos);
      out += '*';
      pos = cs[k].end;
      ++next;
    }
  }
  out.append(text, pos, std::string::npos);
  text = std::move(out);
  return masked;
}

}  // namespace eco
