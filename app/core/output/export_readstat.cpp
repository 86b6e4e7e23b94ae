// SPSS (.sav) and Stata (.dta) exports through ReadStat, for evaluators who analyse the
// data themselves: the wide table of the CSV export, one file per questionnaire, with
// Chinese variable labels, value labels for every option, declared missing values for
// questions not shown and for "don't know" options, and the raking weight when
// population margins exist. Written as FILE.part and renamed when complete.
#include <readstat.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "core/output/export.hpp"
#include "core/support/safe_file.hpp"

namespace eco {

namespace fs = std::filesystem;

namespace {

constexpr double kNotShown = -1;  // SPSS: declared missing; Stata: extended missing .a
const char* const kNotShownLabel = "未显示或未回答 (not shown / not answered)";

// Cut to at most `max_bytes` bytes and `max_chars` characters on a UTF-8 boundary.
std::string cut_utf8(const std::string& s, std::size_t max_bytes, std::size_t max_chars) {
  std::size_t i = 0, chars = 0;
  while (i < s.size() && chars < max_chars) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + len > max_bytes) break;
    i += len;
    ++chars;
  }
  return s.substr(0, i);
}

// Variable names: letters, digits and _, starting with a letter, at most 32 bytes for
// Stata (64 for SPSS), unique (a numeric suffix when a cut name collides).
std::string var_name(const std::string& code, std::size_t max, std::set<std::string>& used) {
  std::string n;
  for (char c : code) n += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (n.empty() || !std::isalpha(static_cast<unsigned char>(n[0]))) n = "v" + n;
  if (n.size() > max) n.resize(max);
  std::string base = n;
  for (int k = 2; !used.insert(n).second; ++k) {
    std::string suf = "_" + std::to_string(k);
    n = base.substr(0, std::min(base.size(), max - suf.size())) + suf;
  }
  return n;
}

ssize_t write_bytes(const void* data, size_t len, void* ctx) {
  bool ok = static_cast<SafeFile*>(ctx)->write(std::string_view(static_cast<const char*>(data), len));
  return ok ? static_cast<ssize_t>(len) : -1;
}

// One column's shape in the file.
struct Var {
  enum class Kind { string, number, coded } kind = Kind::number;
  std::map<std::string, int> codes;  // coded: cell text (option id, "0"/"1") -> number
  std::set<int> dont_know;           // coded values that mean "don't know"
  std::size_t width = 1;             // string: bytes
  readstat_variable_t* v = nullptr;
};

}  // namespace

bool is_dont_know(const Option& o) {
  // "不知道" alone is not enough: in aware_campaign it answers "did you know?" (en "No").
  static const std::set<std::string> zh = {"不了解", "说不清", "不清楚", "不知道/说不清"};
  static const std::set<std::string> en = {"Don't know", "Not sure", "Don't know / not sure", "I don't know"};
  return zh.count(o.text.get("zh")) || en.count(o.text.get("en"));
}

void label_cells(const Questionnaire& q, const std::vector<ExportColumn>& cols, std::vector<std::string>& cells,
                 const std::string& lang) {
  for (std::size_t i = 0; i < cols.size() && i < cells.size(); ++i) {
    const ExportColumn& c = cols[i];
    if (cells[i].empty()) continue;
    if (c.kind == ExportColumn::Kind::choice) {
      if (const Question* qu = q.find(c.question))
        if (const Option* o = qu->find_option(cells[i])) cells[i] = o->text.get(lang);
    } else if (c.kind == ExportColumn::Kind::meta && c.item == "flagged") {
      cells[i] = cells[i] == "1" ? (lang == "en" ? "yes" : "是") : (lang == "en" ? "no" : "否");
    } else if (c.kind == ExportColumn::Kind::option_flag) {
      cells[i] = cells[i] == "1" ? (lang == "en" ? "selected" : "选中") : (lang == "en" ? "not selected" : "未选");
    }
  }
}

std::string export_readstat(ResponseQueries& store, const QuestionnaireSet& /*set*/, const ExportOptions& o,
                            const std::vector<char>& flagged, const std::vector<const Questionnaire*>& qs,
                            const std::map<std::int64_t, double>* weights, ExportResult& res) {
  const bool dta = o.format == "dta";
  auto is_flagged = [&](std::int64_t rid) {
    return rid >= 0 && static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
  };
  // One file per questionnaire, all through SafeFile and put in place together or not at all.
  std::vector<std::unique_ptr<SafeFile>> files;
  std::int64_t total_rows = 0;
  for (const Questionnaire* q : qs) {
    fs::path out(o.out);
    std::string path = qs.size() == 1 ? o.out
                                      : (out.parent_path() / (out.stem().string() + "-" + q->id + out.extension().string())).string();
    auto cols = export_columns(*q);
    std::vector<Var> vars(cols.size());
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const ExportColumn& c = cols[i];
      Var& v = vars[i];
      const Question* qu = c.question.empty() ? nullptr : q->find(c.question);
      if (c.kind == ExportColumn::Kind::choice && qu) {
        v.kind = Var::Kind::coded;
        for (std::size_t k = 0; k < qu->options.size(); ++k) {
          const Option& op = qu->options[k];
          int code = qu->type == QuestionType::rating && op.value > 0 ? op.value : static_cast<int>(k) + 1;
          v.codes[op.id] = code;
          if (is_dont_know(op)) v.dont_know.insert(code);
        }
      } else if (c.kind == ExportColumn::Kind::option_flag || c.item == "flagged") {
        v.kind = Var::Kind::coded;
        v.codes = {{"0", 0}, {"1", 1}};
      } else if (c.kind == ExportColumn::Kind::text ||
                 (c.kind == ExportColumn::Kind::meta && c.item != "version" && c.item != "duration_s")) {
        v.kind = Var::Kind::string;
      }
    }
    // First pass: rows and string widths (both needed before the header is written).
    ResponseFilter f = o.filter;
    f.questionnaire = q->id;
    std::vector<std::string> cells;
    long rows = 0;
    store.each_with_id(f, [&](std::int64_t rid, const Response& r) {
      if (o.cancel && o.cancel->load()) return false;
      bool fl = is_flagged(rid);
      if (fl && !o.include_flagged) return true;
      export_row(*q, cols, r, fl, o.utc_offset_minutes, cells);
      for (std::size_t i = 0; i < cols.size(); ++i)
        if (vars[i].kind == Var::Kind::string) vars[i].width = std::max(vars[i].width, cells[i].size());
      ++rows;
      return true;
    });
    if (o.cancel && o.cancel->load()) return "cancelled";

    if (!o.replace)
      if (std::string e = refuse_existing(path); !e.empty()) return e;
    SafeFile* file = files.emplace_back(std::make_unique<SafeFile>(path)).get();
    if (!file->ok()) return "cannot write " + path + ": " + file->error();
    readstat_writer_t* w = readstat_writer_init();
    readstat_set_data_writer(w, write_bytes);
    std::string label = cut_utf8(q->title.get("zh").empty() ? q->id : q->title.get("zh"), 80, 80);
    readstat_writer_set_file_label(w, label.c_str());
    if (dta) readstat_writer_set_file_format_version(w, 118);  // 118: UTF-8 text
    std::set<std::string> names;
    std::size_t max_name = dta ? 32 : 64;
    // Label texts must outlive the writer: ReadStat keeps the pointers it is given.
    std::vector<std::string> keep;
    keep.reserve(cols.size() * 2 + 2);
    int set_no = 0;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const ExportColumn& c = cols[i];
      Var& v = vars[i];
      std::string name = var_name(c.code, max_name, names);
      readstat_type_t type = v.kind == Var::Kind::string ? READSTAT_TYPE_STRING
                             : v.kind == Var::Kind::coded && dta ? READSTAT_TYPE_INT32
                                                                  : READSTAT_TYPE_DOUBLE;
      v.v = readstat_add_variable(w, name.c_str(), type, v.kind == Var::Kind::string ? v.width : 0);
      keep.push_back(cut_utf8(c.zh, dta ? 320 : 255, 80));
      readstat_variable_set_label(v.v, keep.back().c_str());
      if (v.kind != Var::Kind::coded) continue;
      std::string set_name = "L" + std::to_string(++set_no);
      readstat_label_set_t* ls = readstat_add_label_set(w, dta ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE, set_name.c_str());
      const Question* qu = c.question.empty() ? nullptr : q->find(c.question);
      for (const auto& [id, code] : v.codes) {
        std::string text;
        if (c.kind == ExportColumn::Kind::choice && qu) {
          if (const Option* op = qu->find_option(id)) text = op->text.get("zh");
        } else if (c.item == "flagged") {
          text = code ? "是" : "否";
        } else {
          text = code ? "选中" : "未选";
        }
        if (dta) readstat_label_int32_value(ls, code, text.c_str());
        else readstat_label_double_value(ls, code, text.c_str());
      }
      if (dta) {
        readstat_label_tagged_value(ls, 'a', kNotShownLabel);
      } else {
        readstat_label_double_value(ls, kNotShown, kNotShownLabel);
        readstat_variable_add_missing_double_value(v.v, kNotShown);
        for (int dk : v.dont_know) readstat_variable_add_missing_double_value(v.v, dk);
      }
      readstat_variable_set_label_set(v.v, ls);
    }
    readstat_variable_t* wvar = nullptr;
    if (weights) {
      std::string name = var_name("weight", max_name, names);
      wvar = readstat_add_variable(w, name.c_str(), READSTAT_TYPE_DOUBLE, 0);
      readstat_variable_set_label(wvar, "加权权重(按人口边际耙式加权) raking weight");
    }
    readstat_error_t err = dta ? readstat_begin_writing_dta(w, file, rows) : readstat_begin_writing_sav(w, file, rows);
    long written = 0;
    store.each_with_id(f, [&](std::int64_t rid, const Response& r) {
      if (err != READSTAT_OK || (o.cancel && o.cancel->load())) return false;
      bool fl = is_flagged(rid);
      if (fl && !o.include_flagged) return true;
      if (written == rows) return false;  // a response saved meanwhile waits for the next export
      export_row(*q, cols, r, fl, o.utc_offset_minutes, cells);
      err = readstat_begin_row(w);
      for (std::size_t i = 0; i < cols.size() && err == READSTAT_OK; ++i) {
        const Var& v = vars[i];
        const std::string& cell = cells[i];
        if (v.kind == Var::Kind::string) {
          err = readstat_insert_string_value(w, v.v, cell.c_str());
        } else if (v.kind == Var::Kind::coded) {
          auto it = v.codes.find(cell);
          if (it == v.codes.end()) {
            err = dta ? readstat_insert_tagged_missing_value(w, v.v, 'a')
                      : readstat_insert_double_value(w, v.v, kNotShown);
          } else if (dta && v.dont_know.count(it->second)) {
            err = readstat_insert_tagged_missing_value(w, v.v, 'b');
          } else {
            err = dta ? readstat_insert_int32_value(w, v.v, it->second) : readstat_insert_double_value(w, v.v, it->second);
          }
        } else if (cell.empty()) {
          err = readstat_insert_missing_value(w, v.v);
        } else {
          err = readstat_insert_double_value(w, v.v, std::strtod(cell.c_str(), nullptr));
        }
      }
      if (err == READSTAT_OK && wvar) {
        auto it = weights->find(rid);
        err = it == weights->end() ? readstat_insert_missing_value(w, wvar) : readstat_insert_double_value(w, wvar, it->second);
      }
      if (err == READSTAT_OK) err = readstat_end_row(w);
      ++written;
      return true;
    });
    if (err == READSTAT_OK && written == rows) err = readstat_end_writing(w);
    readstat_writer_free(w);
    if (o.cancel && o.cancel->load()) return "cancelled";  // the temporaries go with `files`
    std::string flushed = err == READSTAT_OK && written == rows ? file->finish() : "";
    if (written != rows) return "responses changed while writing " + path + "; export again";
    if (err != READSTAT_OK) return "writing " + path + " failed: " + readstat_error_message(err) +
                                   (file->ok() ? "" : " (" + file->error() + ")");
    if (!flushed.empty()) return "writing " + path + " failed: " + flushed;
    total_rows += rows;
  }
  std::vector<SafeFile*> all;
  for (auto& f : files) all.push_back(f.get());
  if (std::string e = commit_all(all, o.replace); !e.empty()) return e;
  for (auto* f : all) res.files.push_back(f->final_path());
  res.rows += total_rows;
  return "";
}

}  // namespace eco
