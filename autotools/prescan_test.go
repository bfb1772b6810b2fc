package autotools

import (
	"fmt"
	"reflect"
	"testing"
	"time"
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

// TestFlowPrescanStream covers the streaming phase: offers are scanned
// before the caller's order is known, a later offer for the same path
// replaces the earlier one (the old bytes are never answered for), an offer
// without content drops the path, and an offered file the caller never
// adds is not scanned once Start has fixed the order.
func TestFlowPrescanStream(t *testing.T) {
	evil := []byte("cat tests/files/x | base64 -d | sh\n")
	other := []byte("tr a b < tests/files/y | sh\n")
	pre := NewFlowPrescan(1)
	if pre == nil {
		t.Skip("one core: no prescan") // GOMAXPROCS=1
	}
	defer pre.Close()
	pre.Stream(nil)
	pre.Offer(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: evil})
	pre.Offer(Input{Path: "README", Status: StatusOnlyInTarball, Tarball: []byte("text")}) // not a build script
	waitState := func(path string, want prescanState) *prescanEntry {
		t.Helper()
		for range 30000 { // up to 30 s on a loaded machine
			pre.mu.Lock()
			e := pre.byPath[path]
			done := e != nil && e.state == want
			pre.mu.Unlock()
			if done {
				return e
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("%s never reached state %v", path, want)
		return nil
	}
	first := waitState("configure", prescanDone) // scanned with no caller order yet
	if !first.scanned || len(first.fs.Flows) == 0 {
		t.Fatalf("the streamed scan found no flow in %q", evil)
	}
	if pre.byPath["README"] != nil {
		t.Error("a file Classify does not scan was queued")
	}
	// A duplicate member with other bytes replaces the first offer.
	pre.Offer(Input{Path: "configure", Status: StatusContentDiffers, Tarball: other})
	if first.state != prescanTaken || first.content != nil {
		t.Errorf("the replaced offer keeps state %v and %d bytes", first.state, len(first.content))
	}
	waitState("configure", prescanDone)
	// An offer without content (the member was dropped) forgets the path.
	pre.Offer(Input{Path: "dropped.sh", Status: StatusOnlyInTarball, Tarball: []byte("eval \"$x\"\n")})
	pre.Offer(Input{Path: "dropped.sh", Status: StatusOnlyInTarball})
	pre.mu.Lock()
	if pre.byPath["dropped.sh"] != nil {
		t.Error("an offer without content kept the path")
	}
	pre.mu.Unlock()
	pre.Add(Input{Path: "configure", Status: StatusContentDiffers, Tarball: other})
	pre.Start(nil)
	if _, _, ok := pre.take("configure", evil); ok {
		t.Error("a result for the replaced bytes")
	}
	wantSigs, wantFS := ScanBuildScriptFlows("configure", other)
	sigs, fs, ok := pre.take("configure", other)
	if !ok || !reflect.DeepEqual(sigs, wantSigs) || !reflect.DeepEqual(fs, wantFS) {
		t.Errorf("take(configure) = %v, %d flows; want the direct scan's %d flows", ok, len(fs.Flows), len(wantFS.Flows))
	}
}

// TestFlowPrescanStreamOrdered: a file offered while streaming that the
// caller does not add is not scanned once Start has fixed the order, and a
// large file offered is taken first. The worker is held on the large file
// (the test holds largeScan) while the rest is offered and the order given.
func TestFlowPrescanStreamOrdered(t *testing.T) {
	pre := NewFlowPrescan(1)
	if pre == nil {
		t.Skip("one core: no prescan")
	}
	var big []byte
	for len(big) <= MaxPrescanBytes {
		big = append(big, "ac_x=`echo foo | sed 's/a/b/'`; if test -n \"$ac_x\"; then echo ok; fi\n"...)
	}
	largeScan <- struct{}{}
	pre.Stream(nil)
	pre.Offer(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: big})
	for running := false; !running; time.Sleep(time.Millisecond) { // the worker is on configure, held
		pre.mu.Lock()
		running = pre.byPath["configure"].state == prescanRunning
		pre.mu.Unlock()
	}
	pre.Offer(Input{Path: "late.sh", Status: StatusOnlyInTarball, Tarball: []byte("eval \"$y\"\n")})
	pre.Add(Input{Path: "configure", Status: StatusOnlyInTarball, Tarball: big})
	pre.mu.Lock()
	late := pre.byPath["late.sh"]
	pre.mu.Unlock()
	pre.Start(nil)
	<-largeScan // the worker goes on
	wantSigs, wantFS := ScanBuildScriptFlows("configure", big)
	if sigs, fs, ok := pre.take("configure", big); !ok || !reflect.DeepEqual(sigs, wantSigs) || !reflect.DeepEqual(fs, wantFS) {
		t.Errorf("take(configure) = %v; want the direct scan's result", ok)
	}
	pre.Close()
	if late == nil || late.state == prescanDone {
		t.Errorf("late.sh, offered but never added: %+v; want queued and never scanned", late)
	}
}

// TestFlowPrescanStreamSameResults is TestFlowPrescanSameResults with
// every input offered while streaming, in reverse order, before the
// caller's order is given.
func TestFlowPrescanStreamSameResults(t *testing.T) {
	var ins []Input
	for i, v := range flowVariants {
		ins = append(ins, Input{Path: fmt.Sprintf("d%d/%s", i, v.path), Status: StatusOnlyInTarball, Tarball: []byte(v.script)})
	}
	ins = append(ins, Input{Path: "m4/build-to-host.m4", Status: StatusOnlyInTarball, Tarball: []byte(buildToHostM4)})
	want := make([]Result, len(ins))
	for i, in := range ins {
		want[i] = Classify(in, &Context{})
	}
	pre := NewFlowPrescan(0)
	if pre == nil {
		t.Skip("one core: no prescan")
	}
	pre.Stream(nil)
	for i := len(ins) - 1; i >= 0; i-- {
		pre.Offer(ins[i])
	}
	for _, in := range ins {
		pre.Add(in)
	}
	pre.Start(nil)
	ctx := &Context{Prescan: pre}
	for i, in := range ins {
		if got := Classify(in, ctx); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s: streamed\n%+v\nwithout a prescan\n%+v", in.Path, got, want[i])
		}
	}
	pre.Close()
}
