// Counts the heap allocations of the calling thread: a program linking count_malloc.cpp
// has its malloc, calloc and realloc replaced (glibc's own do the work), so every
// allocation counts, whoever asks: operator new, ImGui's IM_ALLOC, SQLite, FreeType.
// Other threads (a worker, SQLite's) are never counted.
#pragma once

namespace test {

void start_counting_allocations();
long stop_counting_allocations();  // how many since start, on this thread

}  // namespace test
