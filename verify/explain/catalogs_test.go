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

// A compiled catalog that holds other translations than its .po is high,
// each on its own (a catalog's strings are format strings the program
// prints with); one compiled from the .po converted to UTF-8 (gettext's
// and wget's ISO-8859-x catalogs) is proved and reported by nothing.
func TestCatalogMismatchesStayHigh(t *testing.T) {
	head := "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	tarball := map[string]string{}
	for _, l := range []string{"da", "et", "ko"} {
		tarball["gnulib_po/"+l+".po"] = head + "msgid \"memory exhausted\"\nmsgstr \"new " + l + "\"\n"
		tarball["gnulib_po/"+l+".gmo"] = moFile(map[string]string{"": "Content-Type: text/plain; charset=UTF-8\n", "memory exhausted": "old " + l})
	}
	tarball["po/de.po"] = "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n\nmsgid \"checked\"\nmsgstr \"gepr\xfcft\"\n"
	tarball["po/de.gmo"] = moFile(map[string]string{"": "Content-Type: text/plain; charset=UTF-8\n", "checked": "geprüft"})
	res, _ := explainRelease(t, tarball, map[string]string{}, Input{Origins: emptyDB()})
	high := map[string]bool{}
	for _, f := range res.Findings {
		if strings.HasSuffix(f.Path, ".gmo") && f.Rule == report.RuleBinaryOnlyInTarball && f.Severity == report.SevHigh &&
			strings.Contains(f.Message, "translation of \"memory exhausted\" differs") {
			high[f.Path] = true
		}
		if strings.HasPrefix(f.Path, "po/") && f.Severity >= report.SevMedium {
			t.Errorf("converted catalog reported: %+v", f)
		}
	}
	if len(high) != 3 {
		t.Errorf("want 3 high catalog findings, got %v: %+v", high, res.Findings)
	}
}
