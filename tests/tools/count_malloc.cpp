#include "tools/count_malloc.hpp"

#include <cstddef>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);
}

namespace {
thread_local bool t_counting = false;
thread_local long t_allocs = 0;
}  // namespace

// Every counted allocation passes here: `break counted_allocation` in gdb shows who made it.
extern "C" __attribute__((noinline)) void counted_allocation() { asm volatile(""); }

extern "C" {
void* malloc(std::size_t n) {
  if (t_counting) ++t_allocs, counted_allocation();
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  if (t_counting) ++t_allocs, counted_allocation();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  if (t_counting) ++t_allocs, counted_allocation();
  return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
}

namespace test {

void start_counting_allocations() {
  t_allocs = 0;
  t_counting = true;
}

long stop_counting_allocations() {
  t_counting = false;
  return t_allocs;
}

}  // namespace test
