// System headers the Swift Glibc module does not expose (epoll, eventfd, signalfd, pidfd,
// sockets, posix_spawn), plus a few one-line wrappers for calls Swift cannot make directly
// (variadic `syscall`, GNU-only declarations).
#pragma once
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <sys/pidfd.h>
#include <signal.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <spawn.h>

// accept4 is declared only under _GNU_SOURCE; the system call itself is always there.
static inline int ctrio_accept4(int fd, int flags) {
    return (int)syscall(SYS_accept4, fd, (void *)0, (void *)0, flags);
}

// pidfd_open (Linux 5.3): an fd that becomes readable when the process exits. -1/ENOSYS on
// older kernels.
static inline int ctrio_pidfd_open(int pid, unsigned int flags) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, flags);
#else
    errno = ENOSYS;
    return -1;
#endif
}

// Whether the calling thread is the process's main thread (its thread id is the process id);
// gettid is declared only under _GNU_SOURCE.
static inline int ctrio_is_main_thread(void) {
    return (pid_t)syscall(SYS_gettid) == getpid();
}

// pipe2 is declared only under _GNU_SOURCE.
static inline int ctrio_pipe2(int fds[2], int flags) {
    return (int)syscall(SYS_pipe2, fds, flags);
}

// The process-wide signal table behind TrioPlatform's SignalRegistry (see CTrioPlatform.c). One
// C handler serves every signal the package claims: it finds the signal's subscribers in a
// fixed table of slots, with C11 atomics only, so it is async-signal-safe and may run on any
// thread while another thread changes the table.
#define CTRIO_SIGNAL_LIMIT 65
#define CTRIO_SIGNAL_SLOTS 128

// What a slot's subscriber wants done when its signal arrives.
enum {
    CTRIO_SIGNAL_FREE = 0,          // no subscriber (or being removed)
    CTRIO_SIGNAL_WRITE_NUMBER = 1,  // write the signal number, one byte, into `fd` (a pipe)
    CTRIO_SIGNAL_WRITE_EVENT = 2,   // add 1 to eventfd `fd`
    CTRIO_SIGNAL_CALL = 3,          // call `callback(signal)`, which must be async-signal-safe
};

// Fills slot `slot` and then publishes it (release): from now on `signal` reaches it. `rank` 0:
// shared (always notified); above 0: exclusive, and only the highest exclusive rank of a signal
// is notified.
void ctrio_signal_slot_publish(int slot, int signal, int mode, int fd, void (*callback)(int), long rank);

// Unpublishes slot `slot`, then waits until no handler that may have seen it still runs: once
// it returns, the slot's fd may be closed and the slot reused.
void ctrio_signal_slot_retract(int slot);

// Records what `signal` did before the package claimed it, for the handler to fall back on when
// it finds no subscriber (a signal racing the last unsubscription): `handler` as sa_handler or
// sa_sigaction (`siginfo` nonzero), SIG_DFL or SIG_IGN included.
void ctrio_signal_set_previous(int signal, void *handler, int siginfo);

// The one handler the package installs (with SA_SIGINFO).
void ctrio_signal_handler(int signal, siginfo_t *info, void *context);

// Reaps, without blocking, the child `pidfd` refers to (waitid P_PIDFD, Linux 5.4): exactly that
// process, never a recycled pid. 1: reaped; 0: still running; -1 with errno (EINVAL: the kernel
// lacks P_PIDFD; ECHILD: not a child of ours, or already reaped).
static inline int ctrio_reap_pidfd(int pidfd) {
    siginfo_t info;
    info.si_pid = 0;
    if (waitid((idtype_t)3 /* P_PIDFD */, (id_t)pidfd, &info, WEXITED | WNOHANG) != 0) return -1;
    return info.si_pid != 0;
}

// The calling thread's name, as `ps` and debuggers show it (at most 15 bytes; the kernel cuts
// longer ones). prctl rather than pthread_setname_np, which Swift's Glibc module does not declare.
#include <sys/prctl.h>
static inline int ctrio_set_thread_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

// Writes the calling thread's name (NUL-terminated) into `buffer`, which holds 16 bytes.
static inline int ctrio_get_thread_name(char *buffer) {
    return prctl(PR_GET_NAME, (unsigned long)buffer, 0UL, 0UL, 0UL);
}
