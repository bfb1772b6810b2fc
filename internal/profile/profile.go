// Package profile sets tarcheck's garbage-collector defaults, and writes CPU
// and heap profiles of a run for the benchmarks in bench/ (tarcheck's hidden
// --cpuprofile and --memprofile, and the execution trace of --exectrace).
package profile

import (
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// Start starts CPU profiling (to cpu, unless "") and an execution trace (to
// exec, unless ""), and arranges a heap profile (to mem, unless ""); the
// returned function stops and writes them.
func Start(cpu, mem, exec string) (func(), error) {
	var cpuFile, traceFile *os.File
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
	if exec != "" {
		f, err := os.Create(exec)
		if err == nil {
			err = trace.Start(f)
		}
		if err != nil {
			if f != nil {
				f.Close()
			}
			if cpuFile != nil {
				pprof.StopCPUProfile()
				cpuFile.Close()
			}
			return nil, err
		}
		traceFile = f
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			cpuFile.Close()
		}
		if traceFile != nil {
			trace.Stop()
			traceFile.Close()
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
