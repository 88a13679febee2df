#if os(Linux)
import CTrioPlatform
import Glibc

// The Linux calls the loop needs beyond Glibc's Swift module, from the package's header shim.

func sysEpollCreate1(_ flags: Int32) -> Int32 { epoll_create1(flags) }

func sysEventfd(_ initialValue: UInt32, _ flags: Int32) -> Int32 { eventfd(initialValue, flags) }

func sysPidfdOpen(_ pid: pid_t, _ flags: UInt32) -> Int32 { pidfd_open(pid, flags) }

/// The constants of those headers, typed the way the loop uses them.
enum LinuxConstants {
    static let epollCloexec = Int32(EPOLL_CLOEXEC)
    static let epollCtlAdd = EPOLL_CTL_ADD
    static let epollCtlDel = EPOLL_CTL_DEL
    static let epollCtlMod = EPOLL_CTL_MOD
    static let epollIn = EPOLLIN.rawValue
    static let epollOut = EPOLLOUT.rawValue
    static let epollErr = EPOLLERR.rawValue
    static let epollHup = EPOLLHUP.rawValue
    static let efdNonblock = Int32(EFD_NONBLOCK)
    static let efdCloexec = Int32(EFD_CLOEXEC)
}
#endif
