#include "core/util.hpp"

#include <sodium.h>
#include <uuid/uuid.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace eco {

TimeMs now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string new_uuid() {
  uuid_t u;
  uuid_generate_random(u);
  char out[37];
  uuid_unparse_lower(u, out);
  return out;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string kiosk_id_fault(std::string_view id) {
  if (id.empty()) return "must not be empty";
  if (id.size() > 64 || !valid_utf8(id)) return "must be a UTF-8 string of at most 64 bytes";
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7f) return "must not contain control characters";
  // U+0080..U+009F (C1 controls, UTF-8 C2 80..C2 9F) act on terminals too.
  for (std::size_t i = 0; i + 1 < id.size(); ++i)
    if (static_cast<unsigned char>(id[i]) == 0xC2 && static_cast<unsigned char>(id[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(id[i + 1]) <= 0x9F)
      return "must not contain control characters";
  if (id.find('/') != std::string_view::npos || id.find('\\') != std::string_view::npos)
    return "must not contain a slash";
  return "";
}

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

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(sizeof h * 2);
  for (unsigned char c : h) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

std::string to_iso_utc(TimeMs t) {
  std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  int ms = static_cast<int>(t - static_cast<TimeMs>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

namespace {
// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool valid_ymd(int y, int m, int d) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
  return d <= max;
}
}  // namespace

std::optional<TimeMs> parse_date_utc(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) ||
      !digits(s, 8, 2, d) || !valid_ymd(y, m, d))
    return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400000LL;
}

std::optional<TimeMs> parse_iso_utc(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  auto day = parse_date_utc(s.substr(0, 10));
  int hh, mm, ss;
  if (!day || s[10] != 'T' || !digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm) ||
      s[16] != ':' || !digits(s, 17, 2, ss) || hh > 23 || mm > 59 || ss > 60)
    return std::nullopt;
  std::size_t pos = 19;
  int ms = 0;
  if (s[pos] == '.') {
    ++pos;
    int scale = 100, ndig = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (ndig < 3) ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++ndig;
    }
    if (ndig == 0) return std::nullopt;
  }
  std::string_view zone = s.substr(pos);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  return *day + (hh * 3600LL + mm * 60LL + ss) * 1000LL + ms;
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

LineCol line_col(std::string_view text, std::size_t offset) {
  LineCol lc;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') { ++lc.line; lc.column = 1; }
    else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++lc.column;
  }
  return lc;
}

std::optional<std::string> read_file(const std::string& path, std::string* error, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (error) *error = path + " is a folder, not a file";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot open " + path;
    return std::nullopt;
  }
  // Refused before reading: the size on disk, then (for pipes and growing files)
  // never more than one byte past the limit.
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) {
    if (error) *error = path + " is " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) + " allowed";
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes) {
      if (error) *error = path + " is more than the " + std::to_string(max_bytes) + " bytes allowed";
      return std::nullopt;
    }
  }
  return out;
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

std::string to_local_text(TimeMs t, int utc_offset_minutes) {
  std::string iso = to_iso_utc(t + static_cast<TimeMs>(utc_offset_minutes) * 60000);
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

std::optional<TimeMs> parse_local_day(std::string_view s, int utc_offset_minutes) {
  auto t = parse_date_utc(s);
  if (!t) return std::nullopt;
  return *t - static_cast<TimeMs>(utc_offset_minutes) * 60000;
}

}  // namespace eco
