package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sync"

	"github.com/spf13/cobra"
)

// pendingProfiles is the stop function of the profiles being recorded, if
// any. Cobra skips PersistentPostRun when a command fails (a verify with
// exit 1 returns an error), so a finalizer flushes the profiles after every
// command, whatever its outcome; stopping twice is harmless.
var pendingProfiles struct {
	sync.Mutex
	stop func()
}

func init() { cobra.OnFinalize(flushProfiles) }

// flushProfiles stops and writes the pending profiles, if any.
func flushProfiles() {
	pendingProfiles.Lock()
	stop := pendingProfiles.stop
	pendingProfiles.stop = nil
	pendingProfiles.Unlock()
	if stop != nil {
		stop()
	}
}

// startProfiles starts CPU profiling and arranges a heap profile; the
// returned function stops and writes them (once, however often it is
// called). They are also written when the command fails (flushProfiles).
func startProfiles(cpu, mem string) (func(), error) {
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
	stop := sync.OnceFunc(func() {
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
	})
	pendingProfiles.Lock()
	pendingProfiles.stop = stop
	pendingProfiles.Unlock()
	return stop, nil
}
