package proctree

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// setParentDeathSignal has the kernel send the child sig when this
// process dies, however it dies (SIGKILL included). The kernel sends it
// when the thread that forked the child exits: Go ends a thread only when
// a goroutine locked to it returns locked. Run keeps its goroutine locked
// while the child runs; a child that exec starts for the SDK
// (credential_process) is forked on the SDK's goroutine, which locks none,
// and neither does xacct. A program that ends locked goroutines may see
// such a child killed early.
func setParentDeathSignal(attr *syscall.SysProcAttr, sig syscall.Signal) {
	attr.Pdeathsig = sig
}

// waitExit waits until the process pid has exited, without reaping it
// (exec's Wait does), and reports true. If exec reaped it first, waitid
// fails at once: it has exited all the same.
func waitExit(pid int) bool {
	var info unix.Siginfo
	for unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil) == unix.EINTR {
	}
	return true
}

// EndWithParent has the kernel send this process SIGTERM when its parent
// exits, for a process whose only purpose is to answer its parent (xacct
// credential-process): with no one to read its answer it stops, and ends
// its own trees. This carries a chain's end down past processes that do
// not end their children (a shell between two xaccts). ppid is the parent
// as the process found it at its start: if it is already gone, SIGTERM
// comes at once. Only on Linux; elsewhere it does nothing.
//
// The kernel sends it when the parent's *thread* that forked this process
// exits, not only the parent process: a parent that starts programs from
// a thread it then ends (a thread pool in another language) ends xacct
// early, which fails the credential_process call with a signal, and the
// parent's next call runs it again. Go's os/exec and the shells do not.
func EndWithParent(ppid int) error {
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0); err != nil {
		return err
	}
	if os.Getppid() != ppid {
		return syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}
	return nil
}
