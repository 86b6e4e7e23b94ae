#include "core/central/accounts.hpp"

namespace eco::central {

std::vector<AccountRow> list_accounts(Conn& c) {
  Result r = c.exec(
      "SELECT role, kind, coalesce(department, ''), disabled, (extract(epoch FROM added_at) * 1000)::bigint "
      "FROM accounts ORDER BY role");
  std::vector<AccountRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    AccountRow a;
    a.name = r.text(i, 0);
    a.kind = parse_account_kind(r.text(i, 1)).value_or(AccountKind::department);
    a.department = r.text(i, 2);
    a.disabled = r.text(i, 3) == "t";
    a.added_at = r.i64(i, 4);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<std::string> list_departments(Conn& c) {
  Result r = c.exec("SELECT name FROM departments ORDER BY name");
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

void set_account_enabled(Conn& c, const std::string& name, bool enabled) {
  c.run(enabled ? "SELECT ecokiosk_enable_account($1)" : "SELECT ecokiosk_disable_account($1)", {name});
}

}  // namespace eco::central
