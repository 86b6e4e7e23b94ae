// How the central commands report what the center refused or why it could not be
// reached: the status in words, its name (scripts and README's table use it), and
// the server's own message.
#pragma once
#include <iostream>

#include "core/central/pg.hpp"

namespace eco::cli {

inline void print_failure(const central::PgError& e) {
  std::cerr << "error: " << central::status_words(e.status) << "\n  status: " << central::status_name(e.status)
            << "\n  " << e.what() << "\n";
}

}  // namespace eco::cli
