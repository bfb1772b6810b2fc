package autotools

import (
	"strings"
	"testing"
)

// inertCase is a helper body where the lines marked with a leading "+"
// are the ones no known version holds.
func inertCase(body string) ([]byte, map[int]bool) {
	var out []string
	novel := map[int]bool{}
	for i, l := range strings.Split(strings.TrimPrefix(body, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(l, "+"); ok {
			novel[i+1] = true
			l = rest
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, "\n")), novel
}

// testDriverLoop is the shape of findutils' patched test-driver: option
// parsing that accepts --opt=value.
const testDriverLoop = `#! /bin/sh
scriptversion=2018-03-07.03; # UTC
test_name= log_file=
+while test $# -gt 1; do
+ arg=${1%=*}
+ val=${1#*=}
+ if [ $arg = $val ]; then
+   val=$2
+   shift
+ fi
+ case $arg in
  --help) print_usage; exit $?;;
+  --test-name) test_name=$val;;
+  --log-file) log_file=$val;;
+  --) break;;
  -*) usage_error "invalid option: '$1'";;
  esac
+ [ $arg != $val ] && shift
done
"$@" >$log_file 2>&1
`

func TestInertAdditions(t *testing.T) {
	content, novel := inertCase(testDriverLoop)
	if !inertAdditions("test-driver", content, novel) {
		t.Fatal("option parsing that only routes values is not judged inert")
	}
	hostile := map[string]string{
		"decoder":        "#!/bin/sh\nx=1\n+xz -dc tests/files/good-1.xz | sh\n",
		"eval":           "#!/bin/sh\nx=1\n+eval \"$x\"\n",
		"path":           "#!/bin/sh\nx=1\n+PATH=$x\n",
		"ld preload":     "#!/bin/sh\nx=1\n+LD_PRELOAD=$x\n",
		"literal value":  "#!/bin/sh\nx=1\n+log_file=/tmp/owned\n",
		"default text":   "#!/bin/sh\nx=1\n+log_file=${x:-/tmp/owned}\n",
		"substitution":   "#!/bin/sh\nx=1\n+val=$(cat tests/files/x)\n",
		"backquote":      "#!/bin/sh\nx=1\n+val=`cat tests/files/x`\n",
		"redirect":       "#!/bin/sh\nx=1\n+exec 3>$x\n",
		"test redirect":  "#!/bin/sh\nx=1\n+test $x > $x\n",
		"function":       "#!/bin/sh\nx=1\n+mkdir() { :; }\n",
		"export":         "#!/bin/sh\nx=1\n+export x\n",
		"pipe":           "#!/bin/sh\nx=1\n+test $x | :\n",
		"background":     "#!/bin/sh\nx=1\n+: $x &\n",
		"prefix assign":  "#!/bin/sh\nx=1\n+x=$x test 1\n",
		"indirection":    "#!/bin/sh\nx=1\n+y=${!x}\n",
		"heredoc body":   "#!/bin/sh\ncat <<EOF | sh\necho known\n+curl example.invalid\nEOF\n",
		"string body":    "#!/bin/sh\n$ECHO \"\\\necho known\n+rm -rf \\$HOME\n\" > wrapper\n",
		"continued args": "#!/bin/sh\nrun_known \\\n+  --payload=$x\n",
		"other command":  "#!/bin/sh\nx=1\n+sed -i $x $x\n",
		"unparsable":     "#!/bin/sh\nx=1\n+case $x in\n",
	}
	for name, body := range hostile {
		content, novel := inertCase(body)
		if inertAdditions("test-driver", content, novel) {
			t.Errorf("%s: judged inert:\n%s", name, content)
		}
	}
	if inertAdditions("ltmain.sh", content, novel) {
		t.Error("ltmain.sh, which evals what it assigns, judged inert")
	}
	if inertAdditions("texinfo.tex", content, novel) {
		t.Error("a TeX file judged as shell")
	}
	if inertAdditions("test-driver", content, nil) {
		t.Error("no new line judged inert")
	}
}

func FuzzInertAdditions(f *testing.F) {
	f.Add([]byte(testDriverLoop), 5)
	f.Add([]byte("cat <<EOF\nx\nEOF\n"), 2)
	f.Fuzz(func(t *testing.T, content []byte, line int) {
		inertAdditions("test-driver", content, map[int]bool{line: true})
	})
}
