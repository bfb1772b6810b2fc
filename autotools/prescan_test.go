package autotools

import (
	"fmt"
	"reflect"
	"testing"
)

// TestFlowPrescanSameResults classifies the flow variants (flagged), the
// honest snippets and the build-to-host reconstruction with and without a
// prescan, and requires equal results: the prescan only moves work.
func TestFlowPrescanSameResults(t *testing.T) {
	var ins []Input
	for i, v := range flowVariants {
		// Distinct paths: a release holds each once.
		ins = append(ins, Input{Path: fmt.Sprintf("d%d/%s", i, v.path), Status: StatusOnlyInTarball, Tarball: []byte(v.script)})
	}
	for i, h := range honestSnippets {
		ins = append(ins, Input{Path: fmt.Sprintf("h%d/%s", i, h.path), Status: StatusContentDiffers, Tarball: []byte(h.script), Git: []byte("#!/bin/sh\n")})
	}
	ins = append(ins, Input{Path: "m4/build-to-host.m4", Status: StatusOnlyInTarball, Tarball: []byte(buildToHostM4)})
	for _, workers := range []int{1, 3} {
		want := make([]Result, len(ins))
		for i, in := range ins {
			want[i] = Classify(in, &Context{})
		}
		pre := NewFlowPrescan(workers)
		if pre == nil {
			t.Skip("one core: no prescan") // GOMAXPROCS=1
		}
		for _, in := range ins {
			pre.Add(in)
		}
		if len(pre.queue) != len(ins) {
			t.Fatalf("queued %d of %d build scripts", len(pre.queue), len(ins))
		}
		pre.Start(nil)
		ctx := &Context{Prescan: pre}
		for i, in := range ins {
			if got := Classify(in, ctx); !reflect.DeepEqual(got, want[i]) {
				t.Errorf("workers %d, %s: with the prescan\n%+v\nwithout\n%+v", workers, in.Path, got, want[i])
			}
		}
		pre.Close()
		flagged := 0
		for _, r := range want {
			for _, s := range r.Signals {
				if s.Rule == RuleDataFlow {
					flagged++
					break
				}
			}
		}
		if flagged < len(flowVariants)/2 {
			t.Errorf("only %d results carry a data flow: the comparison saw too little", flagged)
		}
	}
}

// TestFlowPrescanTake covers the caller's side: a result is given once, for
// the same content only, and a nil prescan gives nothing.
func TestFlowPrescanTake(t *testing.T) {
	var nilPre *FlowPrescan
	nilPre.Add(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: []byte("eval x\n")})
	nilPre.Start(nil)
	if _, _, ok := nilPre.take("configure", nil); ok {
		t.Error("nil prescan gave a result")
	}
	nilPre.Close()
	pre := &FlowPrescan{byPath: map[string]*prescanEntry{}, workers: 1}
	pre.Add(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: []byte("cat data | base64 -d | sh\n")})
	pre.Add(Input{Path: "README", Status: StatusOnlyInTarball, Tarball: []byte("text")})                  // not a build script
	pre.Add(Input{Path: "same.sh", Status: StatusModeDiffers, Tarball: []byte("#!/bin/sh\n")})            // Classify does not scan it
	pre.Add(Input{Path: "big.sh", Status: StatusOnlyInTarball, Tarball: make([]byte, MaxPrescanBytes+1)}) // the caller's
	if len(pre.queue) != 1 {
		t.Fatalf("queued %d files, want only configure", len(pre.queue))
	}
	pre.cond = newCond(pre)
	pre.Start(nil)
	pre.Close() // waits for the worker, which finished configure
	pre2 := &FlowPrescan{byPath: map[string]*prescanEntry{}, workers: 1}
	pre2.cond = newCond(pre2)
	content := []byte("cat data | base64 -d | sh\n")
	pre2.Add(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: content})
	pre2.Start(nil)
	pre2.wg.Wait() // the worker is done with the only file
	if _, _, ok := pre2.take("configure", []byte("other")); ok {
		t.Error("a result for other content")
	}
	sigs, fs, ok := pre2.take("configure", content)
	if !ok || len(fs.Flows) == 0 || len(sigs) == 0 {
		t.Errorf("take = %v, %d flows, %d signals; want the scan's flow", ok, len(fs.Flows), len(sigs))
	}
	if _, _, ok := pre2.take("configure", content); ok {
		t.Error("a result given twice")
	}
	pre2.Close()
}

// TestFlowPrescanLarge: a script over MaxPrescanBytes is queued, marked
// large and scanned ahead by the worker; its result is the direct scan's,
// and largeScan is free afterwards.
func TestFlowPrescanLarge(t *testing.T) {
	var big []byte
	for len(big) <= MaxPrescanBytes {
		big = append(big, "ac_x=`echo foo | sed 's/a/b/'`; if test -n \"$ac_x\"; then echo ok; fi\n"...)
	}
	big = append(big, "cat data | base64 -d | sh\n"...)
	pre := &FlowPrescan{byPath: map[string]*prescanEntry{}, workers: 1}
	pre.cond = newCond(pre)
	pre.Add(Input{Path: "a.sh", Status: StatusOnlyInTarball, Tarball: []byte("eval x\n")})
	pre.Add(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: big})
	pre.Add(Input{Path: "z.sh", Status: StatusOnlyInTarball, Tarball: []byte("echo z\n")})
	if len(pre.queue) != 3 || len(pre.large) != 1 || pre.large[0] != pre.byPath["configure"] {
		t.Fatalf("queued %d files, %d large; want 3, configure large", len(pre.queue), len(pre.large))
	}
	pre.Start(nil)
	pre.wg.Wait()
	if e := pre.byPath["configure"]; e.state != prescanDone || !e.scanned {
		t.Fatalf("configure: state %v, scanned %v; want done", e.state, e.scanned)
	}
	wantSigs, wantFS := ScanBuildScriptFlows("configure", big)
	sigs, fs, ok := pre.take("configure", big)
	if !ok || !reflect.DeepEqual(sigs, wantSigs) || !reflect.DeepEqual(fs, wantFS) || len(fs.Flows) == 0 {
		t.Errorf("take = %v, %d flows; want the direct scan's %d flows", ok, len(fs.Flows), len(wantFS.Flows))
	}
	pre.Close()
	select {
	case largeScan <- struct{}{}:
		<-largeScan
	default:
		t.Error("largeScan still held after the scans")
	}
}

// TestFlowPrescanEarly: scripts queued while the archive is read are
// scanned at once by a worker Early starts; Add then skips what Early
// queued with the same bytes, replaces an entry whose bytes changed (a
// path the archive holds twice), and Classify's results are the direct
// scan's either way.
func TestFlowPrescanEarly(t *testing.T) {
	evil := []byte("cat data | base64 -d | sh\n")
	other := []byte("eval \"$(cat x | tr a-z n-za-m)\"\n")
	pre := &FlowPrescan{byPath: map[string]*prescanEntry{}, workers: 1}
	pre.cond = newCond(pre)
	if !pre.Early(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: evil}, nil) {
		t.Fatal("Early did not queue configure")
	}
	if pre.Early(Input{Path: "README", Status: StatusOnlyInTarball, Tarball: []byte("text")}, nil) {
		t.Error("Early queued a file that is no build script")
	}
	pre.Early(Input{Path: "build.sh", Status: StatusContentDiffers, Tarball: other, Git: []byte("#!/bin/sh\n")}, nil)
	pre.wg.Wait() // the worker Early started scans both before Start
	for _, p := range []string{"configure", "build.sh"} {
		if e := pre.byPath[p]; e.state != prescanDone || !e.scanned {
			t.Fatalf("%s: state %v, scanned %v before Start; want done", p, e.state, e.scanned)
		}
	}
	replaced := []byte("eval \"$(printf %s x)\"\n")
	pre.Add(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: evil})
	pre.Add(Input{Path: "build.sh", Status: StatusContentDiffers, Tarball: replaced, Git: []byte("#!/bin/sh\n")})
	if len(pre.queue) != 1 || pre.queue[0].path != "build.sh" || pre.byPath["build.sh"] != pre.queue[0] {
		t.Fatalf("Add queued %d entries; want only build.sh's new bytes", len(pre.queue))
	}
	pre.Start(nil)
	ctx := &Context{Prescan: pre}
	for _, in := range []Input{
		{Path: "configure", Status: StatusOnlyInTarball, Tarball: evil},
		{Path: "build.sh", Status: StatusContentDiffers, Tarball: replaced, Git: []byte("#!/bin/sh\n")},
	} {
		if got, want := Classify(in, ctx), Classify(in, &Context{}); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: with the early prescan\n%+v\nwithout\n%+v", in.Path, got, want)
		}
	}
	pre.Close()
	if pre.Early(Input{Path: "late.sh", Status: StatusOnlyInTarball, Tarball: evil}, nil) {
		t.Error("Early queued after Close")
	}
	var nilPre *FlowPrescan
	if nilPre.Early(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: evil}, nil) {
		t.Error("a nil prescan queued")
	}
}
