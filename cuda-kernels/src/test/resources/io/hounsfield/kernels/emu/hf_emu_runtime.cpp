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
enum Mode { DIRECT, FIBERS, INTERLEAVED };
Mode mode;
jmp_buf abandon;            // DIRECT: where a barrier sends the launch back
jmp_buf scheduler;          // FIBERS: where a fiber yields to
struct Fiber {
    jmp_buf at;
    ucontext_t start;
    bool started, done;
    hf_emu_dim3 thread, block; // INTERLEAVED: whose thread this is
};
std::vector<Fiber> fibers;
std::vector<char> stacks;
const size_t STACK = 64 * 1024;
int current;
bool reverse;
unsigned long long interleave; // 0: off; else the state of the generator that picks who runs next
const unsigned long long INTERLEAVE_MAX_THREADS = 1 << 13;
const size_t INTERLEAVE_STACK = 8 * 1024;

unsigned long long next_random() {
    interleave ^= interleave << 13;
    interleave ^= interleave >> 7;
    interleave ^= interleave << 17;
    return interleave;
}
unsigned long long launches;
hf_emu_trampoline kernel;
void **params;

void fiber_main() {
    kernel(params);
    fibers[current].done = true;
    _longjmp(scheduler, 1);
}

// Runs fiber f (the current one) until it yields or ends, which jumps back to the scheduler: its first time on
// its own stack from fiber_main, later from where it stopped.
void enter(Fiber &f, char *stack, size_t size) {
    if (!f.started) {
        f.started = true;
        getcontext(&f.start);
        f.start.uc_stack.ss_sp = stack;
        f.start.uc_stack.ss_size = size;
        f.start.uc_link = nullptr;
        makecontext(&f.start, fiber_main, 0);
        setcontext(&f.start);
    } else {
        _longjmp(f.at, 1);
    }
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
            if (_setjmp(scheduler) == 0) enter(f, stacks.data() + t * STACK, STACK);
        }
        if (!any) return;
    }
}

// Every thread of the grid at once, as fibers on small stacks; the next to run is picked at random, and a running
// thread gives way at atomic operations (hf_emu_yield), so other threads' atomics land between its reads and
// writes as they may on a GPU. A barrier is not supported here (the launch then runs as FIBERS).
void run_grid_interleaved(unsigned gx, unsigned gy, unsigned gz, unsigned bx) {
    unsigned long long total = (unsigned long long) gx * gy * gz * bx;
    fibers.assign(total, Fiber{});
    if (stacks.size() < total * INTERLEAVE_STACK) stacks.resize(total * INTERLEAVE_STACK);
    std::vector<unsigned> live;
    unsigned long long i = 0;
    for (unsigned z = 0; z < gz; z++)
        for (unsigned y = 0; y < gy; y++)
            for (unsigned x = 0; x < gx; x++)
                for (unsigned t = 0; t < bx; t++, i++) {
                    fibers[i].block = {x, y, z};
                    fibers[i].thread = {t, 0, 0};
                    live.push_back((unsigned) i);
                }
    while (!live.empty()) {
        size_t pick = next_random() % live.size();
        unsigned f = live[pick];
        Fiber &fb = fibers[f];
        current = (int) f;
        threadIdx = fb.thread;
        blockIdx = fb.block;
        if (_setjmp(scheduler) == 0) enter(fb, stacks.data() + (size_t) f * INTERLEAVE_STACK, INTERLEAVE_STACK);
        if (fibers[f].done) {
            live[pick] = live.back();
            live.pop_back();
        }
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

void hf_emu_yield() {
    if (mode != INTERLEAVED || next_random() % 3 != 0) return;
    if (_setjmp(fibers[current].at) == 0) _longjmp(scheduler, 1);
}

// Interleaving on (seed != 0) or off (0) for the launches that follow.
extern "C" void hf_emu_set_interleave(unsigned long long seed) {
    interleave = seed;
}

void __syncthreads() {
    if (mode == DIRECT || mode == INTERLEAVED) _longjmp(abandon, 1);
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
    bool interleaved = interleave != 0 && (unsigned long long) gx * gy * gz * bx <= INTERLEAVE_MAX_THREADS;
    mode = interleaved ? INTERLEAVED : DIRECT;
    if (_setjmp(abandon) == 0) {
        if (interleaved) run_grid_interleaved(gx, gy, gz, bx); else run_grid(gx, gy, gz, bx);
        mode = DIRECT;
        return 0;
    }
    mode = FIBERS;
    run_grid(gx, gy, gz, bx);
    mode = DIRECT;
    return 0;
}
