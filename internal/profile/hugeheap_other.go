//go:build !linux

package profile

// ReserveHugeHeap does nothing outside Linux.
func ReserveHugeHeap() {}
