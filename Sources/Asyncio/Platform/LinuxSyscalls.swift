#if os(Linux)
import Glibc

// Glibc's Swift module map leaves out <sys/epoll.h>, <sys/eventfd.h> and <sys/pidfd.h>, and the package has
// no C target, so these few functions are bound by symbol name. Every argument is a plain integer or pointer,
// for which the Swift and C calling conventions agree on the supported Linux architectures.

@_silgen_name("epoll_create1")
func sysEpollCreate1(_ flags: Int32) -> Int32

@_silgen_name("epoll_ctl")
func sysEpollCtl(_ epfd: Int32, _ op: Int32, _ fd: Int32, _ event: UnsafeMutableRawPointer?) -> Int32

@_silgen_name("epoll_wait")
func sysEpollWait(_ epfd: Int32, _ events: UnsafeMutableRawPointer, _ maxEvents: Int32, _ timeout: Int32) -> Int32

@_silgen_name("eventfd")
func sysEventfd(_ initialValue: UInt32, _ flags: Int32) -> Int32

@_silgen_name("pidfd_open")
func sysPidfdOpen(_ pid: pid_t, _ flags: UInt32) -> Int32

/// The constants of those headers (values from the Linux UAPI, identical on every architecture).
enum LinuxConstants {
    static let epollCloexec: Int32 = 0o2000000
    static let epollCtlAdd: Int32 = 1
    static let epollCtlDel: Int32 = 2
    static let epollCtlMod: Int32 = 3
    static let epollIn: UInt32 = 0x001
    static let epollOut: UInt32 = 0x004
    static let epollErr: UInt32 = 0x008
    static let epollHup: UInt32 = 0x010
    static let efdNonblock: Int32 = 0o4000
    static let efdCloexec: Int32 = 0o2000000
}
#endif
