#include "core/speech/normalize.hpp"
#include "core/support/text.hpp"

#include <algorithm>
#include <cstddef>

namespace eco::speech {

namespace {

std::u32string decode(std::string_view s) {  // what is not UTF-8 is skipped
  std::u32string out;
  char32_t c;
  for (std::size_t i = 0; i < s.size();)
    if (utf8_next(s, i, c)) out += c;
  return out;
}

void encode(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool upper(char32_t c) { return c >= U'A' && c <= U'Z'; }
bool letter(char32_t c) { return upper(c) || (c >= U'a' && c <= U'z'); }
bool cjk(char32_t c) { return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF); }
bool dash(char32_t c) { return c == U'-' || c == U'–' || c == U'—' || c == U'~' || c == U'～' || c == U'至'; }
bool space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0x3000 || c == 0xA0; }

// Full-width digits, letters and signs as their ASCII forms, so one rule handles both.
char32_t narrow(char32_t c) {
  if (c >= 0xFF10 && c <= 0xFF19) return U'0' + (c - 0xFF10);
  if (c >= 0xFF21 && c <= 0xFF3A) return U'A' + (c - 0xFF21);
  if (c >= 0xFF41 && c <= 0xFF5A) return U'a' + (c - 0xFF41);
  if (c == U'％') return U'%';
  if (c == U'／') return U'/';
  if (c == U'．') return U'.';
  if (c == U'－') return U'-';
  return c;
}

const char32_t* const kZhDigit[] = {U"零", U"一", U"二", U"三", U"四", U"五", U"六", U"七", U"八", U"九"};

// A number as written: integer digits and, after a point, fraction digits.
struct Number {
  std::u32string whole, fraction;
  std::size_t end = 0;  // index just past it
};

Number read_number(const std::u32string& s, std::size_t i) {
  Number n;
  while (i < s.size() && digit(s[i])) n.whole += s[i++];
  if (i + 1 < s.size() && s[i] == U'.' && digit(s[i + 1])) {
    ++i;
    while (i < s.size() && digit(s[i])) n.fraction += s[i++];
  }
  n.end = i;
  return n;
}

std::size_t skip_spaces(const std::u32string& s, std::size_t i) {
  while (i < s.size() && s[i] == U' ') ++i;
  return i;
}

// ---- Chinese --------------------------------------------------------------------

// Digits one by one: years (二零一九年) and, with 幺 for 1 as hotlines are read, codes.
std::u32string zh_digits(const std::u32string& d, bool yao) {
  std::u32string out;
  for (char32_t c : d) out += (yao && c == U'1') ? U"幺" : kZhDigit[c - U'0'];
  return out;
}

// An amount: espeak reads whole numbers well; a fraction is read digit by digit after 点.
std::u32string zh_amount(const Number& n) {
  std::u32string out = n.whole;
  if (!n.fraction.empty()) out += U"点" + zh_digits(n.fraction, false);
  return out;
}

std::u32string zh_number(const Number& n, char32_t next) {
  if (n.fraction.empty() && n.whole.size() == 4 && next == U'年') return zh_digits(n.whole, false);
  // Five digits or more without a point are numbers to dial (12369) in these texts, not
  // amounts: no question counts past 9,999.
  if (n.fraction.empty() && n.whole.size() >= 5) return zh_digits(n.whole, true);
  return zh_amount(n);
}

// Digits at s[i]: a range (18–29岁), a percentage, a fraction or a number; appended
// to out. Returns where the text goes on.
std::size_t zh_numbers(const std::u32string& s, std::size_t i, std::u32string& out) {
  Number a = read_number(s, i);
  bool a_pct = a.end < s.size() && s[a.end] == U'%';
  std::size_t j = skip_spaces(s, a.end + (a_pct ? 1 : 0));
  // 18–29岁 → 18到29岁; 0–50 → 0到50; 18%–29% and 18–29% → 百分之18到百分之29.
  if (j < s.size() && dash(s[j]) && skip_spaces(s, j + 1) < s.size() && digit(s[skip_spaces(s, j + 1)])) {
    Number b = read_number(s, skip_spaces(s, j + 1));
    bool b_pct = b.end < s.size() && s[b.end] == U'%';
    char32_t after = b.end < s.size() ? s[b.end] : 0;
    out += (b_pct || a_pct ? U"百分之" : U"") + zh_number(a, after) + U"到" +
           (b_pct ? U"百分之" : U"") + zh_number(b, after);
    return b.end + (b_pct ? 1 : 0);
  }
  if (a.end < s.size() && s[a.end] == U'%') {  // 80% → 百分之80
    out += U"百分之" + zh_amount(a);
    return a.end + 1;
  }
  if (a.fraction.empty() && a.end + 1 < s.size() && s[a.end] == U'/' && digit(s[a.end + 1])) {  // 1/2 → 2分之1
    Number b = read_number(s, a.end + 1);
    out += zh_amount(b) + U"分之" + zh_amount(a);
    return b.end;
  }
  out += zh_number(a, a.end < s.size() ? s[a.end] : 0);
  return a.end;
}

// Latin letters at s[i]: dB, an abbreviation spelled out, or a word as it is. Returns
// where the text goes on.
std::size_t zh_letters(const std::u32string& s, std::size_t i, std::u32string& out) {
  std::size_t j = i;
  std::u32string word;
  while (j < s.size() && letter(s[j])) word += s[j++];
  if (word == U"dB") {
    out += U"分贝";
  } else if (word.size() > 1 && std::all_of(word.begin(), word.end(), upper)) {
    // The pinyin voice reads an abbreviation (AQI, PM) as a syllable: letter by letter.
    for (std::size_t k = 0; k < word.size(); ++k) {
      if (k) out += U' ';
      out += word[k];
    }
    out += U' ';
  } else {
    out += word;
  }
  return j;
}

// One mark or symbol c, as it is read (s[i] is what follows it, which a ° may take).
// Returns where the text goes on.
std::size_t zh_symbol(const std::u32string& s, std::size_t i, char32_t c, std::u32string& out) {
  auto prev_cjk = [&] {
    for (std::size_t k = out.size(); k-- > 0;)
      if (out[k] != U' ') return cjk(out[k]) || digit(out[k]);
    return false;
  };
  switch (c) {
    case U'≥': case U'⩾': out += U"大于等于"; break;
    case U'≤': case U'⩽': out += U"小于等于"; break;
    case U'>': out += U"大于"; break;
    case U'<': out += U"小于"; break;
    case U'±': out += U"正负"; break;
    case U'℃': out += U"摄氏度"; break;
    case U'°':
      if (i < s.size() && (s[i] == U'C' || s[i] == U'c')) ++i;
      out += U"度";
      break;
    case U'%': out += U"百分比"; break;
    case U'×':  // between numbers a product; elsewhere the mark of a wrong answer
      if (!out.empty() && digit(out.back()) && i < s.size() && digit(s[i])) out += U"乘";
      break;
    case U'✓': case U'✔': case U'✗': case U'✘': case U'*': case U'_': case U'#': break;
    case U'/': if (prev_cjk()) out += U"或"; else out += U'，'; break;
    case U',': out += U'，'; break;
    case U'.': out += U'。'; break;
    case U'!': out += U'！'; break;
    case U'?': out += U'？'; break;
    case U':': out += U'：'; break;
    case U';': out += U'；'; break;
    case U'(': out += U'（'; break;
    case U')': out += U'）'; break;
    case U'~': case U'～': out += U"到"; break;
    case U'–': case U'—': case U'-': case U'·': case U'•': case U'…': case U'|':
      // A pause where the text shows a break; never two in a row.
      if (!out.empty() && out.back() != U'，') out += U'，';
      break;
    case U'{': case U'}': case U'[': case U']': out += U' '; break;
    default: out += c;
  }
  return i;
}

std::u32string normalize_zh(const std::u32string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = s[i];
    if (digit(c)) i = zh_numbers(s, i, out);
    else if (letter(c)) i = zh_letters(s, i, out);
    else i = zh_symbol(s, i + 1, c, out);
  }
  return out;
}

// ---- English --------------------------------------------------------------------

std::u32string en_spelled(const std::u32string& d) {
  std::u32string out;
  for (std::size_t k = 0; k < d.size(); ++k) {
    if (k) out += U' ';
    out += d[k];
  }
  return out;
}

std::u32string en_number(const Number& n) {
  if (n.fraction.empty() && n.whole.size() >= 5) return en_spelled(n.whole);  // a number to dial
  return n.fraction.empty() ? n.whole : n.whole + U"." + n.fraction;
}

std::u32string normalize_en(const std::u32string& s) {
  std::u32string out;
  auto pause = [&](const char32_t* p) {
    while (!out.empty() && out.back() == U' ') out.pop_back();
    out += p;
  };
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = s[i];
    if (digit(c)) {
      Number a = read_number(s, i);
      std::size_t j = skip_spaces(s, a.end);
      if (j < s.size() && dash(s[j]) && s[j] != U'至' && skip_spaces(s, j + 1) < s.size() &&
          digit(s[skip_spaces(s, j + 1)])) {  // 18–29 → 18 to 29
        Number b = read_number(s, skip_spaces(s, j + 1));
        out += en_number(a) + U" to " + en_number(b);
        i = b.end;
        continue;
      }
      out += en_number(a);
      i = a.end;
      continue;
    }
    if (c == U'd' && i + 1 < s.size() && s[i + 1] == U'B' && (i + 2 >= s.size() || !letter(s[i + 2])) &&
        (i == 0 || !letter(s[i - 1]))) {
      out += U" decibels";
      i += 2;
      continue;
    }
    ++i;
    switch (c) {
      case U'≥': case U'⩾': out += U"at least "; break;
      case U'≤': case U'⩽': out += U"at most "; break;
      case U'±': out += U"plus or minus "; break;
      case U'℃': out += U" degrees Celsius"; break;
      case U'°':
        if (i < s.size() && (s[i] == U'C' || s[i] == U'c')) ++i;
        out += U" degrees";
        break;
      case U'×':
        if (!out.empty() && digit(out.back()) && i < s.size() && digit(s[i])) out += U" times ";
        break;
      case U'✓': case U'✔': case U'✗': case U'✘': case U'*': case U'_': case U'#': break;
      case U'，': case U'、': pause(U", "); break;
      case U'。': pause(U". "); break;
      case U'！': pause(U"! "); break;
      case U'？': pause(U"? "); break;
      case U'：': pause(U": "); break;
      case U'；': pause(U"; "); break;
      case U'（': out += U" ("; break;
      case U'）': out += U") "; break;
      case U'“': case U'”': case U'《': case U'》': out += U'"'; break;
      case U'–': case U'—': case U'·': case U'•': case U'…': case U'|': pause(U", "); break;
      case U'~': case U'～': out += U" to "; break;
      case U'{': case U'}': case U'[': case U']': out += U' '; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string normalize_for_speech(std::string_view text, const std::string& lang) {
  std::u32string s;
  for (char32_t c : decode(text)) {
    c = narrow(c);
    if (space(c) || c < 0x20 || c == 0x7F) c = U' ';
    if (c == U' ' && (s.empty() || s.back() == U' ')) continue;
    s += c;
  }
  std::u32string n = lang == "zh" ? normalize_zh(s) : normalize_en(s);
  std::string out;
  for (char32_t c : n) {
    if (c == U' ' && (out.empty() || out.back() == ' ')) continue;
    encode(c, out);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace eco::speech
