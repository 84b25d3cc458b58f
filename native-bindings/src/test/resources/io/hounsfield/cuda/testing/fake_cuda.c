#include <dlfcn.h>
/*
 * A fake CUDA driver (libcuda.so.1 API subset) for testing Hounsfield's FFM bindings on machines
 * without a GPU. "Device" memory is host memory; copies are memcpy; streams and events are tokens.
 * It checks what a real driver would refuse — calls from a thread without the current context,
 * frees of unknown pointers, copies outside an allocation, allocations beyond its memory limit —
 * and records launches so tests can read back grid, block and argument values. Kernel "fake_add_i32"
 * runs on the host (adds a value to n ints), so argument packing is checked end to end; kernel
 * "fake_fault" makes the context fail with CUDA_ERROR_ILLEGAL_ADDRESS (sticky) as a real fault would.
 * Not thread-safe beyond what the tests need (one owner thread per device).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum { OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, INVALID_DEVICE = 101, INVALID_IMAGE = 200,
       INVALID_CONTEXT = 201, NOT_FOUND = 500, ILLEGAL_ADDRESS = 700 };

struct block { char *p; size_t n; struct block *next; };

static pthread_t ctx_thread;
static int has_ctx;
static int ctx_token;
static int retained;
static size_t mem_limit = (size_t) 1 << 30, allocated;
static struct block *blocks;
static int live_pinned, live_streams, live_events, live_modules;
/* Host ranges page-locked by cuMemHostRegister, and how many copies ran from or to one. */
struct range { uintptr_t p; size_t n; struct range *next; };
static struct range *registered;
static int registered_copies;
static int in_registered(const void *p, size_t n) {
    for (struct range *r = registered; r; r = r->next) {
        if ((uintptr_t) p >= r->p && (uintptr_t) p + n <= r->p + r->n) return 1;
    }
    return 0;
}
static CUresult sticky;
static char last_name[64];
static unsigned last_dims[7];
static int param_count;
static CUresult fail_launches;
static unsigned long long last_params[16];

static int on_ctx(void) { return has_ctx && pthread_equal(ctx_thread, pthread_self()); }
#define NEED_CTX do { if (sticky) return sticky; if (!on_ctx()) return INVALID_CONTEXT; } while (0)

static struct block *find(CUdeviceptr p, size_t n) {
    for (struct block *b = blocks; b; b = b->next) {
        uintptr_t a = (uintptr_t) b->p;
        if (p >= a && p <= a + b->n && n <= a + b->n - p) return b;
    }
    return NULL;
}

/* An emulator of the real kernels (KernelEmulator's library), when a test asked for one: launches then run. */
typedef int (*emu_launch_fn)(const char *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void **);
static emu_launch_fn emu_launch;
static void *emu_handle;

/* Launches counted by kernel name (the first 64 names). */
static char launch_names[64][64];
static int launch_counts[64], launch_kinds;
static void count_launch(const char *name) {
    for (int i = 0; i < launch_kinds; i++) {
        if (strcmp(launch_names[i], name) == 0) { launch_counts[i]++; return; }
    }
    if (launch_kinds < 64) {
        strncpy(launch_names[launch_kinds], name, 63);
        launch_names[launch_kinds][63] = 0;
        launch_counts[launch_kinds++] = 1;
    }
}

/* ---- test controls ---- */
int fake_launches(const char *name) {
    for (int i = 0; i < launch_kinds; i++) {
        if (strcmp(launch_names[i], name) == 0) return launch_counts[i];
    }
    return 0;
}
int fake_set_emulator(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) return -1;
    emu_handle = h;
    emu_launch = (emu_launch_fn) dlsym(h, "hf_emu_launch");
    return emu_launch ? 0 : -2;
}
/* The emulator's interleaving: every thread of a launch at once, switching at atomics (seed 0: off). */
int fake_emulator_interleave(unsigned long long seed) {
    if (!emu_handle) return -1;
    void (*set)(unsigned long long) = (void (*)(unsigned long long)) dlsym(emu_handle, "hf_emu_set_interleave");
    if (!set) return -2;
    set(seed);
    return 0;
}
void fake_reset(void) {
    launch_kinds = 0;
    if (emu_handle) fake_emulator_interleave(0); /* the emulator library stays loaded: its interleaving goes off */
    emu_launch = NULL;
    while (blocks) { struct block *n = blocks->next; free(blocks->p); free(blocks); blocks = n; }
    allocated = 0; sticky = 0; has_ctx = 0; retained = 0; param_count = 0; fail_launches = 0;
    last_name[0] = 0; memset(last_dims, 0, sizeof last_dims); memset(last_params, 0, sizeof last_params);
    live_pinned = live_streams = live_events = live_modules = 0;
    while (registered) { struct range *n = registered->next; free(registered); registered = n; }
    registered_copies = 0;
    mem_limit = (size_t) 1 << 30;
}
void fake_set_mem_limit(size_t bytes) { mem_limit = bytes; }
void fake_set_param_count(int n) { param_count = n > 16 ? 16 : n; }
/* Every later launch fails the context with this code, as a faulting kernel would (0: none). */
void fake_fail_launches(CUresult code) { fail_launches = code; }
int fake_live(int what) {
    int n = 0;
    switch (what) {
        case 0: for (struct block *b = blocks; b; b = b->next) n++; return n;
        case 1: return live_pinned;
        case 2: return live_streams;
        case 3: return live_events;
        case 4: return live_modules;
        case 5: return retained;
        case 6: for (struct range *r = registered; r; r = r->next) n++; return n;
        default: return -1;
    }
}
int fake_registered_copies(void) { return registered_copies; }
const char *fake_last_name(void) { return last_name; }
unsigned fake_last_dim(int i) { return last_dims[i]; }
unsigned long long fake_last_param(int i) { return last_params[i]; }

/* ---- driver API ---- */
CUresult cuInit(unsigned flags) { (void) flags; return OK; }
CUresult cuDriverGetVersion(int *v) { *v = 13000; return OK; }
CUresult cuDeviceGetCount(int *n) { *n = 1; return OK; }
CUresult cuDeviceGet(CUdevice *d, int ordinal) { if (ordinal != 0) return INVALID_DEVICE; *d = 0; return OK; }
CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
    (void) d; strncpy(name, "Hounsfield fake CUDA device", (size_t) len); name[len - 1] = 0; return OK;
}
CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) { (void) d; *bytes = mem_limit; return OK; }
CUresult cuDeviceGetAttribute(int *v, int attribute, CUdevice d) {
    (void) d;
    *v = attribute == 75 ? 9 : attribute == 76 ? 0 : attribute == 16 ? 132 : 0;
    return OK;
}
static const char *name_of(CUresult rc) {
    switch (rc) {
        case OK: return "CUDA_SUCCESS";
        case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
        case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
        default: return NULL;
    }
}
CUresult cuGetErrorName(CUresult rc, const char **s) { *s = name_of(rc); return *s ? OK : INVALID_VALUE; }
CUresult cuGetErrorString(CUresult rc, const char **s) { *s = name_of(rc) ? "fake driver error" : NULL; return *s ? OK : INVALID_VALUE; }
CUresult cuDevicePrimaryCtxRetain(void **ctx, CUdevice d) { if (d != 0) return INVALID_DEVICE; *ctx = &ctx_token; retained++; return OK; }
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) { (void) d; if (retained == 0) return INVALID_CONTEXT; retained--; return OK; }
CUresult cuCtxSetCurrent(void *ctx) {
    if (ctx == NULL) { has_ctx = 0; return OK; }
    if (ctx != &ctx_token) return INVALID_CONTEXT;
    ctx_thread = pthread_self(); has_ctx = 1; return OK;
}
CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total) { NEED_CTX; *free_bytes = allocated > mem_limit ? 0 : mem_limit - allocated; *total = mem_limit; return OK; }
CUresult cuStreamCreate(void **s, unsigned flags) { (void) flags; NEED_CTX; *s = malloc(1); live_streams++; return OK; }
CUresult cuStreamDestroy_v2(void *s) { if (!s) return INVALID_VALUE; free(s); live_streams--; return OK; }
CUresult cuStreamSynchronize(void *s) { (void) s; NEED_CTX; return OK; }
CUresult cuEventCreate(void **e, unsigned flags) { (void) flags; NEED_CTX; *e = malloc(1); live_events++; return OK; }
CUresult cuEventRecord(void *e, void *s) { (void) e; (void) s; NEED_CTX; return OK; }
CUresult cuEventSynchronize(void *e) { (void) e; NEED_CTX; return OK; }
CUresult cuEventElapsedTime(float *ms, void *a, void *b) { (void) a; (void) b; NEED_CTX; *ms = 1.5f; return OK; }
CUresult cuEventDestroy_v2(void *e) { if (!e) return INVALID_VALUE; free(e); live_events--; return OK; }
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n) {
    NEED_CTX;
    if (n == 0) return INVALID_VALUE;
    if (allocated > mem_limit || n > mem_limit - allocated) return OUT_OF_MEMORY; // a limit lowered below what is held: nothing more fits
    struct block *b = malloc(sizeof *b);
    b->p = malloc(n); b->n = n; b->next = blocks; blocks = b;
    memset(b->p, 0xA5, n); /* real device memory is not zeroed either */
    allocated += n; *p = (CUdeviceptr) (uintptr_t) b->p; return OK;
}
CUresult cuMemFree_v2(CUdeviceptr p) {
    NEED_CTX;
    for (struct block **at = &blocks; *at; at = &(*at)->next) {
        if ((CUdeviceptr) (uintptr_t) (*at)->p == p) {
            struct block *b = *at; *at = b->next; allocated -= b->n; free(b->p); free(b); return OK;
        }
    }
    return INVALID_VALUE;
}
CUresult cuMemHostAlloc(void **p, size_t n, unsigned flags) { (void) flags; NEED_CTX; *p = malloc(n); live_pinned++; return OK; }
CUresult cuMemFreeHost(void *p) { free(p); live_pinned--; return OK; }
CUresult cuMemHostRegister_v2(void *p, size_t n, unsigned flags) {
    NEED_CTX;
    if (!p || n == 0 || (flags & ~0xFu)) return INVALID_VALUE;
    for (struct range *r = registered; r; r = r->next) {
        if ((uintptr_t) p < r->p + r->n && r->p < (uintptr_t) p + n) return 712; /* CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED */
    }
    struct range *r = malloc(sizeof *r); r->p = (uintptr_t) p; r->n = n; r->next = registered; registered = r;
    return OK;
}
CUresult cuMemHostUnregister(void *p) {
    NEED_CTX;
    for (struct range **r = &registered; *r; r = &(*r)->next) {
        if ((*r)->p == (uintptr_t) p) { struct range *d = *r; *r = d->next; free(d); return OK; }
    }
    return 713; /* CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED */
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *s) {
    (void) s; NEED_CTX; if (!find(dst, n)) return INVALID_VALUE; registered_copies += in_registered(src, n);
    memcpy((void *) (uintptr_t) dst, src, n); return OK;
}
CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *s) {
    (void) s; NEED_CTX; if (!find(src, n)) return INVALID_VALUE; registered_copies += in_registered(dst, n);
    memcpy(dst, (void *) (uintptr_t) src, n); return OK;
}
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void *s) {
    (void) s; NEED_CTX; if (!find(dst, n) || !find(src, n)) return INVALID_VALUE;
    memmove((void *) (uintptr_t) dst, (void *) (uintptr_t) src, n); return OK;
}
CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, void *s) {
    (void) s; NEED_CTX; if (!find(dst, n)) return INVALID_VALUE; memset((void *) (uintptr_t) dst, v, n); return OK;
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n, void *s) {
    (void) s; NEED_CTX; if (!find(dst, 4 * n)) return INVALID_VALUE;
    unsigned *p = (unsigned *) (uintptr_t) dst; for (size_t i = 0; i < n; i++) p[i] = v; return OK;
}
CUresult cuModuleLoadData(void **m, const void *image) {
    NEED_CTX;
    if (!image) return INVALID_VALUE;
    if (memcmp(image, "BAD!", 4) == 0) return INVALID_IMAGE;
    *m = malloc(1); live_modules++; return OK;
}
CUresult cuModuleUnload(void *m) { if (!m) return INVALID_VALUE; free(m); live_modules--; return OK; }
CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
    NEED_CTX;
    if (!m) return INVALID_VALUE;
    if (strncmp(name, "missing", 7) == 0) return NOT_FOUND;
    *f = strdup(name); /* never freed: functions live as long as their module, and tests are short */
    return OK;
}
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, void *stream, void **params, void **extra) {
    (void) stream; (void) extra;
    NEED_CTX;
    if (!f || !params) return INVALID_VALUE;
    strncpy(last_name, (const char *) f, sizeof last_name - 1);
    count_launch(last_name);
    unsigned d[7] = {gx, gy, gz, bx, by, bz, shared};
    memcpy(last_dims, d, sizeof d);
    for (int i = 0; i < param_count; i++) memcpy(&last_params[i], params[i], 8);
    if (strcmp(last_name, "fake_fault") == 0) { sticky = ILLEGAL_ADDRESS; return OK; } /* surfaces at the next call */
    if (fail_launches) { sticky = fail_launches; return OK; }
    if (emu_launch) {
        int r = emu_launch(last_name, gx, gy, gz, bx, by, bz, shared, params);
        if (r == 0) return OK;
        if (r == -2) return INVALID_VALUE;
    }
    if (strcmp(last_name, "fake_add_i32") == 0) { /* (int *data, int n, int value) */
        int *data = *(int **) params[0]; int n = *(int *) params[1]; int v = *(int *) params[2];
        if (!find((CUdeviceptr) (uintptr_t) data, (size_t) n * 4)) { sticky = ILLEGAL_ADDRESS; return OK; }
        for (int i = 0; i < n; i++) data[i] += v;
    }
    return OK;
}
