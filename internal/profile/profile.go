// Package profile sets tarcheck's garbage-collector defaults, and writes CPU
// and heap profiles of a run for the benchmarks in bench/ (tarcheck's hidden
// --cpuprofile and --memprofile).
package profile

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// Start starts CPU profiling (to cpu, unless "") and arranges a heap
// profile (to mem, unless ""); the returned function stops and writes them.
func Start(cpu, mem string) (func(), error) {
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		cpuFile = f
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			cpuFile.Close()
		}
		if mem != "" {
			if f, err := os.Create(mem); err == nil {
				runtime.GC()
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
	}, nil
}
