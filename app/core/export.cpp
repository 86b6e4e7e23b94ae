#include "core/export.hpp"

#include <iconv.h>
#include <xlsxwriter.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/i18n.hpp"
#include "core/interchange.hpp"
#include "core/survey_results.hpp"

namespace eco {

namespace fs = std::filesystem;

namespace {

// A file written as NAME.part and renamed to NAME only when complete, so a pulled USB
// stick never holds a half file that looks whole.
class PartFile {
 public:
  explicit PartFile(std::string path) : path_(std::move(path)), part_(path_ + ".part") {
    out_.open(part_, std::ios::binary | std::ios::trunc);
  }
  ~PartFile() {
    if (!done_) {
      out_.close();
      std::error_code ec;
      fs::remove(part_, ec);
    }
  }
  bool ok() const { return static_cast<bool>(out_); }
  std::ofstream& out() { return out_; }
  std::string commit() {
    out_.flush();
    if (!out_) return "writing " + part_ + " failed (disk full or removed?)";
    out_.close();
    std::error_code ec;
    fs::rename(part_, path_, ec);
    if (ec) return "cannot rename " + part_ + ": " + ec.message();
    done_ = true;
    return "";
  }
  const std::string& part() const { return part_; }

 private:
  std::string path_, part_;
  std::ofstream out_;
  bool done_ = false;
};

void csv_field(std::string& line, const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) {
    line += v;
    return;
  }
  line += '"';
  for (char c : v) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

// UTF-8 to GB18030 for older Excel; every Unicode character has a GB18030 form.
class Gb18030 {
 public:
  Gb18030() : cd_(iconv_open("GB18030", "UTF-8")) {}
  ~Gb18030() {
    if (cd_ != reinterpret_cast<iconv_t>(-1)) iconv_close(cd_);
  }
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  bool convert(const std::string& in, std::string& out) {
    out.resize(in.size() * 2 + 16);
    char* src = const_cast<char*>(in.data());
    std::size_t left = in.size();
    char* dst = out.data();
    std::size_t room = out.size();
    if (iconv(cd_, &src, &left, &dst, &room) == static_cast<std::size_t>(-1)) return false;
    out.resize(out.size() - room);
    return true;
  }

 private:
  iconv_t cd_;
};

std::string with_suffix(const std::string& path, const std::string& suffix) {
  fs::path p(path);
  return (p.parent_path() / (p.stem().string() + suffix + p.extension().string())).string();
}

std::vector<const Questionnaire*> chosen(const QuestionnaireSet& set, const std::string& id) {
  std::vector<const Questionnaire*> out;
  for (const auto& q : set.list) {
    if (!id.empty() && q.id != id) continue;
    if (set.find(q.id) == &q) out.push_back(&q);  // newest version per id
  }
  return out;
}

struct Writer {
  Store& store;
  const QuestionnaireSet& set;
  const ExportOptions& o;
  std::vector<char> flagged;

  bool is_flagged(std::int64_t rid) const {
    return rid >= 0 && static_cast<std::size_t>(rid) < flagged.size() && flagged[static_cast<std::size_t>(rid)];
  }
  bool cancelled() const { return o.cancel && o.cancel->load(); }

  // Streams the responses of q that the filters and flags let through.
  template <class Fn>
  void each(const Questionnaire& q, Fn&& fn) {
    ResponseFilter f = o.filter;
    f.questionnaire = q.id;
    store.each_with_id(f, [&](std::int64_t rid, const Response& r) {
      if (cancelled()) return false;
      bool fl = is_flagged(rid);
      if (fl && !o.include_flagged) return true;
      return fn(r, fl);
    });
  }

  std::string csv(const Questionnaire& q, const std::string& path, ExportResult& res) {
    auto cols = export_columns(q);
    PartFile file(path);
    if (!file.ok()) return "cannot write " + file.part();
    bool gb = o.encoding == "gb18030";
    Gb18030 conv;
    if (gb && !conv.ok()) return "this system cannot convert to GB18030 (iconv)";
    std::string line, encoded;
    auto put = [&]() {
      line += "\r\n";  // Excel's own line ending
      if (gb) {
        if (!conv.convert(line, encoded)) return false;
        file.out().write(encoded.data(), static_cast<std::streamsize>(encoded.size()));
      } else {
        file.out().write(line.data(), static_cast<std::streamsize>(line.size()));
      }
      line.clear();
      return static_cast<bool>(file.out());
    };
    if (!gb) file.out() << "\xEF\xBB\xBF";  // BOM: Excel then reads the file as UTF-8
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) line += ',';
      csv_field(line, cols[i].code);
    }
    put();
    std::vector<std::string> cells;
    std::int64_t n = 0;
    bool ok = true;
    each(q, [&](const Response& r, bool fl) {
      export_row(q, cols, r, fl, o.utc_offset_minutes, cells);
      if (o.labels) label_cells(q, cols, cells, o.lang);
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) line += ',';
        csv_field(line, cells[i]);
      }
      ++n;
      ok = put();
      return ok;
    });
    if (cancelled()) return "cancelled";
    if (!ok) return "writing " + file.part() + " failed after " + std::to_string(n) + " rows";
    if (std::string e = file.commit(); !e.empty()) return e;
    res.files.push_back(path);
    res.rows += n;
    // The codebook beside it: every column and code with its Chinese and English text.
    std::string cb_path = with_suffix(path, ".codebook");
    PartFile cb(cb_path);
    if (!gb) cb.out() << "\xEF\xBB\xBF";
    line.clear();
    line = "column,question,question_zh,question_en,code,label_zh,label_en";
    auto put_cb = [&]() {
      line += "\r\n";
      if (gb) {
        conv.convert(line, encoded);
        cb.out() << encoded;
      } else {
        cb.out() << line;
      }
      line.clear();
    };
    put_cb();
    for (const auto& c : export_columns(q)) {
      auto row = [&](const std::string& code, const std::string& zh, const std::string& en) {
        for (const std::string* f : {&c.code, &c.question, &c.zh, &c.en, &code, &zh, &en}) {
          if (f != &c.code) line += ',';
          csv_field(line, *f);
        }
        put_cb();
      };
      const Question* qu = c.question.empty() ? nullptr : q.find(c.question);
      if (c.kind == ExportColumn::Kind::choice && qu)
        for (const auto& op : qu->options) row(op.id, op.text.get("zh"), op.text.get("en"));
      else if (c.kind == ExportColumn::Kind::option_flag)
        row("1", "选中", "selected"), row("0", "未选", "not selected");
      else
        row("", "", "");
    }
    if (std::string e = cb.commit(); !e.empty()) return e;
    res.files.push_back(cb_path);
    return "";
  }

  std::string jsonl(const std::string& path, ExportResult& res) {
    PartFile file(path);
    if (!file.ok()) return "cannot write " + file.part();
    std::int64_t n = 0;
    bool ok = true;
    std::string line;
    for (const Questionnaire* q : chosen(set, o.questionnaire)) {
      ResponseFilter f = o.filter;
      f.questionnaire = q->id;
      f.version.reset();  // every version of the questionnaire: the format carries it
      if (o.filter.version) f.version = o.filter.version;
      // Interchange carries every response, flagged or not: flags are judged where
      // the data are merged, never by dropping them on the way.
      store.each(f, [&](const Response& r) {
        if (cancelled()) return false;
        line = response_to_line(r);
        line += '\n';
        file.out().write(line.data(), static_cast<std::streamsize>(line.size()));
        ++n;
        ok = static_cast<bool>(file.out());
        return ok;
      });
    }
    if (cancelled()) return "cancelled";
    if (!ok) return "writing " + file.part() + " failed after " + std::to_string(n) + " rows";
    if (std::string e = file.commit(); !e.empty()) return e;
    res.files.push_back(path);
    res.rows = n;
    return "";
  }

  std::string xlsx(const std::string& path, ExportResult& res);
};

// Sheet names: at most 31 characters, unique, none of []:*?/\ .
std::string sheet_name(const std::string& base, int n) {
  std::string s;
  for (char c : base)
    if (std::string("[]:*?/\\").find(c) == std::string::npos) s += c;
  std::string num = std::to_string(n);
  if (s.size() > 28 - num.size()) s.resize(28 - num.size());
  return num + " " + s;
}

std::string Writer::xlsx(const std::string& path, ExportResult& res) {
  std::string part = path + ".part";
  lxw_workbook_options opts = {};
  opts.constant_memory = LXW_TRUE;  // rows go to temp files as written: memory stays bounded
  lxw_workbook* wb = workbook_new_opt(part.c_str(), &opts);
  if (!wb) return "cannot create " + part;
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_bg_color(head, 0xDCEEE2);
  format_set_text_wrap(head);
  lxw_format* pct = workbook_add_format(wb);
  format_set_num_format(pct, "0.0");
  auto T = [&](const char* key) -> std::string { return o.strings ? o.strings->get("zh", key) : key; };

  // Summary: the three indicators with intervals, n, targets, status, and the filters.
  IndicatorReport rep = compute_indicators(store, set, indicator_options(o));
  lxw_worksheet* sum = workbook_add_worksheet(wb, "Summary");
  worksheet_set_column(sum, 0, 0, 10, nullptr);
  worksheet_set_column(sum, 1, 1, 34, nullptr);
  worksheet_set_column(sum, 2, 9, 13, nullptr);
  const char* heads[] = {"no", "indicator", "value", "ci_low", "ci_high", "n", "target", "status", "excluded", "moe"};
  const char* heads_zh[] = {"序号", "指标", "数值(%)", "95%下限", "95%上限", "样本", "目标", "状态", "剔除可疑", "误差范围"};
  // constant_memory writes a row out when the next one starts: rows strictly in order.
  for (int i = 0; i < 10; ++i) worksheet_write_string(sum, 0, static_cast<lxw_col_t>(i), heads[i], head);
  for (int i = 0; i < 10; ++i) worksheet_write_string(sum, 1, static_cast<lxw_col_t>(i), heads_zh[i], head);
  lxw_row_t row = 2;
  for (const auto& i : rep.indicators) {
    worksheet_write_number(sum, row, 0, i.no, nullptr);
    worksheet_write_string(sum, row, 1, T(("report.name." + std::to_string(i.no)).c_str()).c_str(), nullptr);
    if (i.est.value) {
      worksheet_write_number(sum, row, 2, *i.est.value, pct);
      if (i.est.ci) {  // none with a single respondent
        worksheet_write_number(sum, row, 3, i.est.ci->lo, pct);
        worksheet_write_number(sum, row, 4, i.est.ci->hi, pct);
        worksheet_write_number(sum, row, 9, i.est.moe, pct);
      }
    } else {
      worksheet_write_string(sum, row, 2, T("report.status.no_data").c_str(), nullptr);
    }
    worksheet_write_number(sum, row, 5, static_cast<double>(i.est.n), nullptr);
    worksheet_write_number(sum, row, 6, i.target, nullptr);
    worksheet_write_string(sum, row, 7, T(("report.status." + i.status()).c_str()).c_str(), nullptr);
    worksheet_write_number(sum, row, 8, static_cast<double>(i.excluded.total), nullptr);
    ++row;
  }
  ++row;
  auto filt = [&](const char* k, const std::string& v) {
    worksheet_write_string(sum, row, 0, k, head);
    worksheet_write_string(sum, row, 1, v.c_str(), nullptr);
    ++row;
  };
  filt("from", o.filter.from ? to_iso_utc(*o.filter.from) : "—");
  filt("to", o.filter.to ? to_iso_utc(*o.filter.to) : "—");
  filt("kiosk", o.filter.kiosk.empty() ? "—" : o.filter.kiosk);
  filt("questionnaire", o.questionnaire.empty() ? "all" : o.questionnaire);
  filt("flagged", o.include_flagged ? "included" : "left out");
  filt("generated", to_iso_utc(rep.generated_at));

  // Responses, one sheet per questionnaire: codes in row 1, Chinese headers in row 2.
  std::vector<const Questionnaire*> qs = chosen(set, o.questionnaire);
  std::vector<std::string> cells;
  int sheet_no = 1;
  for (const Questionnaire* q : qs) {
    auto cols = export_columns(*q);
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name("responses " + q->id, sheet_no++).c_str());
    for (std::size_t c = 0; c < cols.size(); ++c)
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), cols[c].code.c_str(), head);
    for (std::size_t c = 0; c < cols.size(); ++c)
      worksheet_write_string(ws, 1, static_cast<lxw_col_t>(c), cols[c].zh.c_str(), head);
    worksheet_freeze_panes(ws, 2, 1);
    lxw_row_t r = 2;
    each(*q, [&](const Response& resp, bool fl) {
      export_row(*q, cols, resp, fl, o.utc_offset_minutes, cells);
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (cells[c].empty()) continue;
        auto kind = cols[c].kind;
        bool numeric = kind == ExportColumn::Kind::option_flag || kind == ExportColumn::Kind::count_row ||
                       kind == ExportColumn::Kind::integer || kind == ExportColumn::Kind::score ||
                       cols[c].item == "version" || cols[c].item == "duration_s" || cols[c].item == "flagged";
        if (numeric) worksheet_write_number(ws, r, static_cast<lxw_col_t>(c), std::stod(cells[c]), nullptr);
        else worksheet_write_string(ws, r, static_cast<lxw_col_t>(c), cells[c].c_str(), nullptr);
      }
      ++r;
      ++res.rows;
      return r < 1048576;  // Excel's row limit
    });
    if (cancelled()) break;
  }

  // Codebook: every column and code in Chinese and English.
  lxw_worksheet* cb = workbook_add_worksheet(wb, "Codebook");
  const char* cb_heads[] = {"column", "question", "question_zh", "question_en", "code", "label_zh", "label_en"};
  for (int i = 0; i < 7; ++i) worksheet_write_string(cb, 0, static_cast<lxw_col_t>(i), cb_heads[i], head);
  worksheet_set_column(cb, 2, 3, 40, nullptr);
  lxw_row_t cr = 1;
  for (const Questionnaire* q : qs)
    for (const auto& c : export_columns(*q)) {
      const Question* qu = c.question.empty() ? nullptr : q->find(c.question);
      auto put = [&](const std::string& code, const std::string& zh, const std::string& en) {
        worksheet_write_string(cb, cr, 0, c.code.c_str(), nullptr);
        worksheet_write_string(cb, cr, 1, c.question.c_str(), nullptr);
        worksheet_write_string(cb, cr, 2, c.zh.c_str(), nullptr);
        worksheet_write_string(cb, cr, 3, c.en.c_str(), nullptr);
        worksheet_write_string(cb, cr, 4, code.c_str(), nullptr);
        worksheet_write_string(cb, cr, 5, zh.c_str(), nullptr);
        worksheet_write_string(cb, cr, 6, en.c_str(), nullptr);
        ++cr;
      };
      if (c.kind == ExportColumn::Kind::choice && qu)
        for (const auto& op : qu->options) put(op.id, op.text.get("zh"), op.text.get("en"));
      else if (c.kind == ExportColumn::Kind::option_flag) {
        put("1", "选中", "selected");
        put("0", "未选", "not selected");
      } else {
        put("", "", "");
      }
    }

  // A sheet per question: counts and percentages.
  SurveyResults sr = compute_survey_results(store, set, o.filter, o.utc_offset_minutes, o.cancel);
  for (const auto& qr : sr.questionnaires) {
    const Questionnaire* q = set.find(qr.id);
    if (!q || (!o.questionnaire.empty() && q->id != o.questionnaire)) continue;
    for (const auto& d : qr.questions) {
      const Question* qu = q->find(d.question);
      if (!qu || d.counts.empty()) continue;
      lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name(q->id + " " + d.question, sheet_no++).c_str());
      worksheet_set_column(ws, 0, 0, 40, nullptr);
      worksheet_write_string(ws, 0, 0, qu->text.get("zh").c_str(), head);
      worksheet_write_string(ws, 1, 0, qu->text.get("en").c_str(), nullptr);
      const char* h[] = {"选项 option", "代码 code", "人数 n", "占比 %"};
      for (int i = 0; i < 4; ++i) worksheet_write_string(ws, 2, static_cast<lxw_col_t>(i), h[i], head);
      lxw_row_t r = 3;
      for (const auto& c : d.counts) {
        const Option* op = qu->type == QuestionType::count_matrix ? qu->find_row(c.option) : qu->find_option(c.option);
        worksheet_write_string(ws, r, 0, op ? op->text.get("zh").c_str() : c.option.c_str(), nullptr);
        worksheet_write_string(ws, r, 1, c.option.c_str(), nullptr);
        worksheet_write_number(ws, r, 2, static_cast<double>(c.n), nullptr);
        if (d.answered) worksheet_write_number(ws, r, 3, 100.0 * static_cast<double>(c.n) / static_cast<double>(d.answered), pct);
        ++r;
      }
      worksheet_write_string(ws, r, 0, "回答人数 answered", head);
      worksheet_write_number(ws, r, 2, static_cast<double>(d.answered), nullptr);
    }
  }

  lxw_error err = workbook_close(wb);
  if (cancelled()) {
    std::error_code ec;
    fs::remove(part, ec);
    return "cancelled";
  }
  if (err != LXW_NO_ERROR) {
    std::error_code ec;
    fs::remove(part, ec);
    return std::string("writing the workbook failed: ") + lxw_strerror(err);
  }
  std::error_code ec;
  fs::rename(part, path, ec);
  if (ec) return "cannot rename " + part + ": " + ec.message();
  res.files.push_back(path);
  return "";
}

}  // namespace

ExportResult export_data(Store& store, const QuestionnaireSet& set, const ExportOptions& o) {
  ExportResult res;
  if (o.out.empty()) {
    res.error = "no output file given";
    return res;
  }
  if (!o.questionnaire.empty() && !set.find(o.questionnaire)) {
    res.error = "unknown questionnaire \"" + o.questionnaire + "\"";
    return res;
  }
  if (auto parent = fs::path(o.out).parent_path(); !parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
  }
  store.backfill_metrics(set);
  Writer w{store, set, o, flagged_rows(store, o.min_seconds_per_question)};
  if (o.format == "csv") {
    auto qs = chosen(set, o.questionnaire);
    for (const Questionnaire* q : qs) {
      // One questionnaire per file: its columns differ from the others'.
      std::string path = qs.size() == 1 ? o.out : with_suffix(o.out, "-" + q->id);
      res.error = w.csv(*q, path, res);
      if (!res.error.empty()) break;
    }
  } else if (o.format == "jsonl") {
    res.error = w.jsonl(o.out, res);
  } else if (o.format == "xlsx") {
    res.error = w.xlsx(o.out, res);
  } else if (o.format == "html") {
    PartFile f(o.out);
    if (!f.ok()) {
      res.error = "cannot write " + f.part();
    } else {
      f.out() << html_report(store, set, o);
      res.error = f.commit();
      if (res.error.empty()) res.files.push_back(o.out);
      res.rows = store.count(o.filter);
    }
  } else if (o.format == "sav" || o.format == "dta") {
    auto qs = chosen(set, o.questionnaire);
    std::map<std::int64_t, double> weights;
    if (o.population)
      for (const Questionnaire* q : qs) {
        auto wq = raking_weights(store, set, q->id, indicator_options(o));
        weights.insert(wq.begin(), wq.end());
      }
    res.error = export_readstat(store, set, o, w.flagged, qs, o.population ? &weights : nullptr, res);
  } else {
    res.error = "unknown format \"" + o.format + "\" (xlsx, csv, jsonl, html, sav, dta)";
  }
  return res;
}

}  // namespace eco
