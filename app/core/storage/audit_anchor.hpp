// What the database cannot vouch for itself, kept beside the configuration: the head of
// the audit chain (how many entries, the newest hash), a mark of the PIN hash the
// program last stored, and a pending one-time setup code (as a hash). Anyone who can
// write the database can drop a trigger and cut the log's tail, or clear the PIN; with
// this file outside the database such changes are detected instead of trusted.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/support/time.hpp"

namespace eco {

struct AuditHead {
  std::int64_t count = 0;  // entries in the log
  std::string last_hash;   // hash of the newest ("" when empty)
};

struct Anchor {
  AuditHead head;
  std::string pin_mark;          // SHA-256 of the stored PIN hash; "" = no PIN set yet
  std::string setup_code_hash;   // Argon2id of a one-time setup code; "" = none pending
  TimeMs setup_code_until = 0;   // the code is refused after this
  std::string database;          // the database this anchors, for people reading it
  // Set when the anchor was missing for a database with a history and had to be made
  // again from the log as it was then: what was cut before that cannot be detected, and
  // `audit verify` keeps saying so (until a restore re-anchors).
  std::string rebuilt;
};

// <folder of config_path>/anchors/<first 16 hex of SHA-256 of the database's absolute path>.json
std::string anchor_path_for(const std::string& config_path, const std::string& db_path);

// nullopt with `error` empty when there is no file; with `error` set when it is unreadable.
std::optional<Anchor> read_anchor(const std::string& path, std::string* error = nullptr);
// Written under a temporary name (0600, not following links), synced, renamed. "" on success.
std::string write_anchor(const std::string& path, const Anchor& a);

}  // namespace eco
