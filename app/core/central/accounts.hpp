// Account management for the district console's admins (issue 17): the accounts and the
// catalog's departments as the center lists them, and disabling or enabling one. Adding
// one is add_user (district.hpp). The engine decides who may (admins); these only ask.
#pragma once
#include <string>
#include <vector>

#include "core/central/district.hpp"
#include "core/central/pg.hpp"

namespace eco::central {

struct AccountRow {
  std::string name;
  AccountKind kind = AccountKind::department;
  std::string department;
  bool disabled = false;
  TimeMs added_at = 0;
};
std::vector<AccountRow> list_accounts(Conn& c);  // admins (others: refused_by_center)
std::vector<std::string> list_departments(Conn& c);
void set_account_enabled(Conn& c, const std::string& name, bool enabled);

}  // namespace eco::central
