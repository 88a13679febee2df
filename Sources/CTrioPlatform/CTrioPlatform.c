// The C side of TrioPlatform's SignalRegistry: the table its signal handler reads. Everything the
// handler touches is a C11 atomic in static storage (no allocation, no locks, no Swift runtime),
// so it is async-signal-safe. Writers (the registry, under its lock) publish and retract slots;
// the handler may run at the same time on any thread.
#include "CTrioPlatform.h"
#include <stdatomic.h>
#include <sched.h>
#include <string.h>

struct ctrio_signal_slot {
    atomic_int mode;  // published last (release), cleared first: the handler reads it first (acquire)
    atomic_int signal;
    atomic_int fd;
    _Atomic(void (*)(int)) callback;
    atomic_long rank;
};

static struct ctrio_signal_slot slots[CTRIO_SIGNAL_SLOTS];

// Handlers running right now, on any thread. Retracting a slot waits for this to reach zero, so
// a handler never writes to a descriptor its subscriber has closed (Dekker-style with the mode
// store: both sides use sequentially consistent operations).
static atomic_int handlers_running;

// What each signal did before the package claimed it.
static _Atomic(void *) previous_handler[CTRIO_SIGNAL_LIMIT];
static atomic_int previous_siginfo[CTRIO_SIGNAL_LIMIT];

void ctrio_signal_slot_publish(int slot, int signal, int mode, int fd, void (*callback)(int), long rank) {
    struct ctrio_signal_slot *entry = &slots[slot];
    atomic_store_explicit(&entry->signal, signal, memory_order_relaxed);
    atomic_store_explicit(&entry->fd, fd, memory_order_relaxed);
    atomic_store_explicit(&entry->callback, callback, memory_order_relaxed);
    atomic_store_explicit(&entry->rank, rank, memory_order_relaxed);
    atomic_store_explicit(&entry->mode, mode, memory_order_seq_cst);
}

void ctrio_signal_slot_retract(int slot) {
    atomic_store_explicit(&slots[slot].mode, CTRIO_SIGNAL_FREE, memory_order_seq_cst);
    while (atomic_load_explicit(&handlers_running, memory_order_seq_cst) != 0) sched_yield();
}

void ctrio_signal_set_previous(int signal, void *handler, int siginfo) {
    if (signal <= 0 || signal >= CTRIO_SIGNAL_LIMIT) return;
    atomic_store_explicit(&previous_siginfo[signal], siginfo, memory_order_relaxed);
    atomic_store_explicit(&previous_handler[signal], handler, memory_order_release);
}

static void notify(int signal, int mode, int fd, void (*callback)(int)) {
    switch (mode) {
    case CTRIO_SIGNAL_WRITE_NUMBER: {
        unsigned char byte = (unsigned char)signal;
        (void)!write(fd, &byte, 1);
        break;
    }
    case CTRIO_SIGNAL_WRITE_EVENT: {
        unsigned long long one = 1;
        (void)!write(fd, &one, sizeof one);
        break;
    }
    case CTRIO_SIGNAL_CALL:
        if (callback) callback(signal);
        break;
    }
}

// Nobody subscribes (the last subscriber is leaving): do what the process did before.
static void fall_back(int signal, siginfo_t *info, void *context) {
    void *handler = atomic_load_explicit(&previous_handler[signal], memory_order_acquire);
    if (handler == (void *)SIG_IGN) return;
    if (handler == (void *)SIG_DFL) {
        // Default actions that do nothing need nothing; the others (terminate, core dump, stop)
        // happen once this handler returns, with the default disposition back in place.
        if (signal == SIGCHLD || signal == SIGCONT || signal == SIGURG || signal == SIGWINCH) return;
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = SIG_DFL;
        sigemptyset(&action.sa_mask);
        sigaction(signal, &action, NULL);
        kill(getpid(), signal);
        return;
    }
    if (atomic_load_explicit(&previous_siginfo[signal], memory_order_relaxed)) {
        ((void (*)(int, siginfo_t *, void *))handler)(signal, info, context);
    } else {
        ((void (*)(int))handler)(signal);
    }
}

void ctrio_signal_handler(int signal, siginfo_t *info, void *context) {
    int saved_errno = errno;
    atomic_fetch_add_explicit(&handlers_running, 1, memory_order_seq_cst);
    int delivered = 0;
    int top = -1;
    long top_rank = 0;
    for (int index = 0; index < CTRIO_SIGNAL_SLOTS; index++) {
        struct ctrio_signal_slot *entry = &slots[index];
        int mode = atomic_load_explicit(&entry->mode, memory_order_seq_cst);
        if (mode == CTRIO_SIGNAL_FREE || atomic_load_explicit(&entry->signal, memory_order_relaxed) != signal) continue;
        long rank = atomic_load_explicit(&entry->rank, memory_order_relaxed);
        if (rank > 0) {
            // Exclusive: only the highest rank is notified, after the scan.
            if (rank > top_rank) {
                top_rank = rank;
                top = index;
            }
            continue;
        }
        notify(signal, mode, atomic_load_explicit(&entry->fd, memory_order_relaxed),
               atomic_load_explicit(&entry->callback, memory_order_relaxed));
        delivered = 1;
    }
    if (top >= 0) {
        struct ctrio_signal_slot *entry = &slots[top];
        int mode = atomic_load_explicit(&entry->mode, memory_order_seq_cst);
        if (mode != CTRIO_SIGNAL_FREE) {
            notify(signal, mode, atomic_load_explicit(&entry->fd, memory_order_relaxed),
                   atomic_load_explicit(&entry->callback, memory_order_relaxed));
            delivered = 1;
        }
    }
    atomic_fetch_sub_explicit(&handlers_running, 1, memory_order_seq_cst);
    if (!delivered && signal > 0 && signal < CTRIO_SIGNAL_LIMIT) fall_back(signal, info, context);
    errno = saved_errno;
}
