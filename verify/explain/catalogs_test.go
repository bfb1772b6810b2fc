package explain

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/tarcheck/tarcheck/verify/report"
)

// moFile is a little-endian GNU .mo of msgs, keys sorted as msgfmt does.
func moFile(msgs map[string]string) string {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range msgs {
			if !yield(k) {
				return
			}
		}
	})
	n := uint32(len(keys))
	var strs bytes.Buffer
	type ent struct{ l, off uint32 }
	base := 28 + 16*n
	var os, ts []ent
	for _, k := range keys {
		os = append(os, ent{uint32(len(k)), base + uint32(strs.Len())})
		strs.WriteString(k + "\x00")
	}
	for _, k := range keys {
		ts = append(ts, ent{uint32(len(msgs[k])), base + uint32(strs.Len())})
		strs.WriteString(msgs[k] + "\x00")
	}
	var b bytes.Buffer
	for _, v := range []uint32{0x950412de, 0, n, 28, 28 + 8*n, 0, 0} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	for _, e := range append(os, ts...) {
		binary.Write(&b, binary.LittleEndian, e.l)
		binary.Write(&b, binary.LittleEndian, e.off)
	}
	b.Write(strs.Bytes())
	return b.String()
}

// Catalogs compiled before the last .po update: one medium finding per
// directory of three or more, each difference kept in the evidence; a
// lone one keeps its own finding.
func TestGroupCatalogs(t *testing.T) {
	head := "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	tarball := map[string]string{}
	for _, l := range []string{"da", "et", "ko"} {
		tarball["gnulib_po/"+l+".po"] = head + "msgid \"memory exhausted\"\nmsgstr \"new " + l + "\"\n"
		tarball["gnulib_po/"+l+".gmo"] = moFile(map[string]string{"": "Content-Type: text/plain; charset=UTF-8\n", "memory exhausted": "old " + l})
	}
	tarball["po/he.po"] = head + "msgid \"hello\"\nmsgstr \"new\"\n"
	tarball["po/he.gmo"] = moFile(map[string]string{"": "Content-Type: text/plain; charset=UTF-8\n", "hello": "old"})
	res, _ := explainRelease(t, tarball, map[string]string{}, Input{Origins: emptyDB()})
	var group, lone int
	for _, f := range res.Findings {
		switch {
		case f.Path == "gnulib_po/" && f.Rule == report.RuleBinaryOnlyInTarball:
			group++
			if f.Severity != report.SevMedium || !strings.HasPrefix(f.Message, "3 compiled message catalogs") || len(f.Evidence) != 3 ||
				!strings.Contains(f.Evidence[0], "gnulib_po/da.gmo: translation of") {
				t.Errorf("group %+v", f)
			}
		case f.Path == "po/he.gmo":
			lone++
			if f.Severity != report.SevMedium {
				t.Errorf("lone %+v", f)
			}
		case strings.HasPrefix(f.Path, "gnulib_po/") && f.Severity >= report.SevMedium:
			t.Errorf("ungrouped %+v", f)
		}
	}
	if group != 1 || lone != 1 {
		t.Errorf("group %d lone %d: %+v", group, lone, res.Findings)
	}
}
