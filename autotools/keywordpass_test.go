package autotools

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// containingRef is the keyword prefilter before containingSets: one
// bytes.Index pass per keyword.
func containingRef(ls logicalLines, content []byte, keywords []string) []int {
	var hits []int
	for _, k := range keywords {
		kb := []byte(k)
		for off := 0; off < len(content); {
			i := bytes.Index(content[off:], kb)
			if i < 0 {
				break
			}
			li := ls.find(off + i)
			if li >= len(ls) {
				break
			}
			hits = append(hits, li)
			off = ls[li].end + 1
		}
	}
	slices.Sort(hits)
	return slices.Compact(hits)
}

// TestContainingSetsIsPerKeyword: the one pass finds, for every keyword
// set, the lines the per-keyword passes found, on random scripts made of
// keywords, their fragments, continuation lines and noise, and on the
// flow variants and honest snippets.
func TestContainingSetsIsPerKeyword(t *testing.T) {
	pieces := []string{"\n", "\\\n", " ", "|", "||", "e", "ev", "eval", "grep", "GREP", "gre", "tr ", "tr", "head", "hea",
		"tail", "dd ", "d", "sed", "base64", "openssl", "xxd", "uudecode", `\x`, `\`, "curl", "wget", "fetch", "/dev/", "nc ",
		"x", "$(", "`", "#", "'", "\"", "\r\n"}
	var inputs [][]byte
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b []byte
		for range r.IntN(60) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		inputs = append(inputs, b)
	}
	for _, v := range flowVariants {
		inputs = append(inputs, []byte(v.script))
	}
	for _, h := range honestSnippets {
		inputs = append(inputs, []byte(h.script))
	}
	inputs = append(inputs, []byte(buildToHostM4), nil, []byte("eval"), []byte("tail\\"))
	found := 0
	for _, in := range inputs {
		ls := indexLogicalLines(in)
		got := ls.containingSets(in)
		for k, set := range keywordSets {
			var want []int
			if set != nil {
				want = containingRef(ls, in, set)
			}
			if fmt.Sprint(got[k]) != fmt.Sprint(want) {
				t.Fatalf("set %v on %q: one pass %v, per keyword %v", set, in, got[k], want)
			}
			found += len(want)
		}
	}
	if found < 1000 {
		t.Errorf("only %d lines found over all inputs: the comparison saw too little", found)
	}
}

// BenchmarkKeywordPrefilter: the one pass against the per-keyword passes
// on a 1 MiB configure.
func BenchmarkKeywordPrefilter(b *testing.B) {
	data := benchConfigure(b)
	ls := indexLogicalLines(data)
	b.Run("one-pass", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			ls.containingSets(data)
		}
	})
	b.Run("per-keyword", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			for _, set := range keywordSets {
				if set != nil {
					containingRef(ls, data, set)
				}
			}
		}
	})
}
