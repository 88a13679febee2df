// System headers the Swift Glibc module does not expose (epoll, eventfd, signalfd, pidfd).
// No code of our own lives here; this target only makes the Linux APIs visible to Swift.
#pragma once
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <sys/pidfd.h>
#include <signal.h>
#include <errno.h>
