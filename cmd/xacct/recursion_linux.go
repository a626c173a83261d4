package main

import (
	"os"
	"strconv"
	"strings"
)

// maxAncestorWalk bounds how far up the process tree xacctAncestors looks:
// past maxNesting, with room for a shell and an env between each two
// xaccts.
const maxAncestorWalk = 4 * maxNesting

// xacctAncestors counts the processes above this one that run this same
// executable, as /proc shows them. Processes it cannot read (another
// user's) are not counted.
func xacctAncestors() int {
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0
	}
	n := 0
	for pid, i := os.Getppid(), 0; pid > 1 && i < maxAncestorWalk; pid, i = parentOf(pid), i+1 {
		if exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil && exe == self {
			n++
		}
	}
	return n
}

// parentOf returns the parent of pid from /proc/PID/stat ("pid (comm)
// state ppid ..."; comm may hold spaces and parentheses), or 0.
func parentOf(pid int) int {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}
