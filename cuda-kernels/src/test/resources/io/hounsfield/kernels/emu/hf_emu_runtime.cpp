// The emulator's launcher: hf_emu_launch runs a kernel's grid block by block on this thread. Every other launch
// runs its blocks, and the threads of each block, in reverse order: a result that depends on the order threads
// run in (what atomics on a GPU would make of it) then differs between two runs of the same work. Kernels without a
// barrier run their threads one after another; the first __syncthreads() of such a run (which in hounsfield.cu
// always comes before any write to global memory) abandons it, and the launch runs again with fibers: each thread
// on its own small stack, all stopping at every barrier. Fibers start through makecontext and switch with
// _setjmp/_longjmp (no signal-mask system calls).
#include "hf_emu.h"
#include <csetjmp>
#include <ucontext.h>
#include <vector>

hf_emu_dim3 threadIdx, blockIdx, blockDim, gridDim;
alignas(16) unsigned char hf_emu_dynamic_shared[64 * 1024];

typedef void (*hf_emu_trampoline)(void **);
extern "C" hf_emu_trampoline hf_emu_find(const char *name);

namespace {
enum Mode { DIRECT, FIBERS };
Mode mode;
jmp_buf abandon;            // DIRECT: where a barrier sends the launch back
jmp_buf scheduler;          // FIBERS: where a fiber yields to
struct Fiber {
    jmp_buf at;
    ucontext_t start;
    bool started, done;
};
std::vector<Fiber> fibers;
std::vector<char> stacks;
const size_t STACK = 64 * 1024;
int current;
bool reverse;
unsigned long long launches;
hf_emu_trampoline kernel;
void **params;

void fiber_main() {
    kernel(params);
    fibers[current].done = true;
    _longjmp(scheduler, 1);
}

void run_block_direct(unsigned threads) {
    for (unsigned i = 0; i < threads; i++) {
        unsigned t = reverse ? threads - 1 - i : i;
        threadIdx = {t, 0, 0};
        kernel(params);
    }
}

void run_block_fibers(unsigned threads) {
    fibers.assign(threads, Fiber{});
    if (stacks.size() < threads * STACK) stacks.resize(threads * STACK);
    for (;;) {
        bool any = false;
        for (unsigned i = 0; i < threads; i++) {
            unsigned t = reverse ? threads - 1 - i : i;
            Fiber &f = fibers[t];
            if (f.done) continue;
            any = true;
            current = (int) t;
            threadIdx = {t, 0, 0};
            if (_setjmp(scheduler) == 0) {
                if (!f.started) {
                    f.started = true;
                    getcontext(&f.start);
                    f.start.uc_stack.ss_sp = stacks.data() + t * STACK;
                    f.start.uc_stack.ss_size = STACK;
                    f.start.uc_link = nullptr;
                    makecontext(&f.start, fiber_main, 0);
                    setcontext(&f.start);
                } else {
                    _longjmp(f.at, 1);
                }
            }
        }
        if (!any) return;
    }
}

void run_grid(unsigned gx, unsigned gy, unsigned gz, unsigned bx) {
    for (unsigned z = 0; z < gz; z++)
        for (unsigned y = 0; y < gy; y++)
            for (unsigned i = 0; i < gx; i++) {
                unsigned x = reverse ? gx - 1 - i : i;
                blockIdx = {x, y, z};
                if (mode == DIRECT) run_block_direct(bx); else run_block_fibers(bx);
            }
}
}  // namespace

void __syncthreads() {
    if (mode == DIRECT) _longjmp(abandon, 1);
    if (_setjmp(fibers[current].at) == 0) _longjmp(scheduler, 1);
}

// 0: ran; -1: no such kernel; -2: a block of more than one dimension (hounsfield.cu uses x only).
extern "C" int hf_emu_launch(const char *name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                             unsigned shared, void **args) {
    kernel = hf_emu_find(name);
    if (!kernel) return -1;
    if (by != 1 || bz != 1 || shared > sizeof hf_emu_dynamic_shared) return -2;
    params = args;
    reverse = (launches++ & 1) != 0;
    gridDim = {gx, gy, gz};
    blockDim = {bx, by, bz};
    mode = DIRECT;
    if (_setjmp(abandon) == 0) {
        run_grid(gx, gy, gz, bx);
        return 0;
    }
    mode = FIBERS;
    run_grid(gx, gy, gz, bx);
    mode = DIRECT;
    return 0;
}
