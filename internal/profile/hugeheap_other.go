//go:build !linux

package profile

import "unsafe"

// ReserveHugeHeap does nothing outside Linux.
func ReserveHugeHeap() {}

// HugePagesAt is 0 outside Linux.
func HugePagesAt(unsafe.Pointer) (int64, error) { return 0, nil }
