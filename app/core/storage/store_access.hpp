// The SQLite connection behind a Store, for the storage code that works on the file
// itself (the admin records, backups and restores) and for tests that inspect or
// damage it on purpose. Analysis and output code ask ResponseQueries instead and never
// include this.
#pragma once
#include "core/storage/store.hpp"

namespace eco {

struct StoreAccess {
  static Db& db(Store& s) { return s.db(); }
};

}  // namespace eco
