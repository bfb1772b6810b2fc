package term

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBarRates: a phase whose bytes arrive at once right after it starts
// shows a rate over real elapsed time (the bar's clock starts at Start), not
// the bytes over the microseconds before the first render (once 67 GB/s).
func TestBarRates(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out)
	p.Start("archive", 200<<20)
	p.Add(100 << 20) // 100 MiB at once: a cached file read
	time.Sleep(150 * time.Millisecond)
	p.Add(2 << 20) // crosses a percent: rendered
	text := out.String()
	p.Done()
	rates := regexp.MustCompile(`([0-9.]+) (k?B|MB|GB|TB)/s`).FindAllStringSubmatch(text, -1)
	if len(rates) == 0 {
		t.Fatalf("no rate shown:\n%q", text)
	}
	unit := map[string]float64{"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}
	for _, m := range rates {
		v, _ := strconv.ParseFloat(m[1], 64)
		// 102 MiB over at least 150 ms is at most ~715 MB/s.
		if rate := v * unit[m[2]]; rate > 800e6 {
			t.Errorf("rate %s %s/s: more than the bytes over the elapsed time\n%q", m[1], m[2], text)
		}
	}

	// Item phases count files, not bytes; an uncounted one shows no count.
	out.Reset()
	p.StartItems("classify and prove origins", 1200)
	p.Add(600)
	time.Sleep(150 * time.Millisecond)
	p.Add(1)
	if text := out.String(); !strings.Contains(text, "601/1200") || !strings.Contains(text, "files/s") || strings.Contains(text, "MB") {
		t.Errorf("item bar:\n%q", text)
	}
	p.Done()
	out.Reset()
	p.StartItems("read gnulib commit 41e7b7e0d159", -1)
	time.Sleep(120 * time.Millisecond)
	p.Done()
	if text := out.String(); !strings.Contains(text, "read gnulib commit 41e7b7e0d159") || strings.Contains(text, " B") {
		t.Errorf("spinner:\n%q", text)
	}
}
