package autotools

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// payloadXZ and friends are names of data files in an xz-style release; the
// scanner only reads the script text, nothing is decoded or run.
const (
	dataXZ  = `"$srcdir/tests/files/good-1-lzma2.xz"`
	dataBin = `"$srcdir/tests/files/bad-3-corrupt_lzma2.xz"`
)

// flowVariants are keyword-free decoders (issue 15) and their
// combinations, each reaching execution with a harmless payload.
var flowVariants = []struct{ name, path, script string }{
	{"xz --stdout --decompress", "configure", "xz --stdout --decompress < " + dataXZ + " | sh\n"},
	{"xz -dc", "configure", "xz -dc " + dataXZ + " | sh\n"},
	{"xz -cd to $SHELL", "configure", "xz -cd " + dataXZ + " | $SHELL\n"},
	{"xz --decompress --stdout to \"$SHELL\"", "configure", "xz --decompress --stdout " + dataXZ + " 2>/dev/null | \"$SHELL\"\n"},
	{"unxz -c to $CONFIG_SHELL", "configure", "unxz -c " + dataXZ + " | $CONFIG_SHELL\n"},
	{"gzip -c -d", "configure", "gzip -c -d tests/files/p.gz | sh\n"},
	{"gunzip stdin to bash", "configure", "gunzip < tests/files/p.gz | bash\n"},
	{"zcat to sh -s", "configure", "zcat tests/files/p.gz | sh -s\n"},
	{"bzip2 -dc", "configure", "bzip2 -dc tests/files/p.bz2 | sh\n"},
	{"zstd -d --stdout", "configure", "zstd -d --stdout tests/files/p.zst | sh\n"},
	{"lzma -d to temp file, . ./file", "configure", "lzma -d < tests/files/p.lzma > conftest.sh\n. ./conftest.sh\n"},
	{"dd skip/count carving", "configure", "dd if=" + dataBin + " bs=1 skip=1024 count=300 2>/dev/null | sh\n"},
	{"dd conv=swab", "configure", "dd if=tests/files/swapped.bin conv=swab 2>/dev/null | sh\n"},
	{"od | awk", "configure", "od -An -c tests/files/x.bin | awk '{ for (i = 1; i <= NF; i++) printf \"%s\", $i }' | sh\n"},
	{"printf octal escapes", "configure", "eval \"$(printf '\\145\\143\\150\\157 \\160\\167\\156\\145\\144 > /tmp/x')\"\n"},
	{"${v#...} cutting", "configure", "v=$(cat " + dataBin + ")\nv=${v#*####}\neval \"$v\"\n"},
	{"shell arithmetic table", "configure", "s=\nfor n in 102 100 105 112; do\n  s=\"$s$(printf \"\\\\$(printf %o $((n - 1)))\")\"\ndone\neval \"$s\"\n"},
	{"perl unpack", "configure", "perl -ne 'print unpack(\"u\", $_)' tests/files/p.uu | sh\n"},
	{"python3 -c", "configure", "python3 -c 'import sys, base64; sys.stdout.write(base64.b64decode(sys.stdin.read()).decode())' < tests/files/p.b64 | sh\n"},
	{"python3 -c exec(stdin)", "configure", "python3 -c 'import sys; exec(sys.stdin.read())' < tests/files/p.dat\n"},
	{"openssl enc -d", "configure", "openssl enc -d -base64 -in tests/files/p.enc | sh\n"},
	{"base32 -d", "configure", "base32 -d tests/files/p.txt | sh\n"},
	{"sed y/// instead of tr", "configure", "sed 'y/abc/bca/' tests/files/p.txt | sh\n"},
	{"sh -c \"$x\"", "configure", "x=$(xz -dc " + dataXZ + ")\nsh -c \"$x\"\n"},
	{"tr rot13 into \"$SHELL\"", "configure", "tr 'a-z' 'n-za-m' < tests/files/r13.txt | \"$SHELL\"\n"},
	{"glob tests/files/bad-2-*", "configure", "for f in $srcdir/tests/files/bad-2-*; do\n  xz -dc \"$f\"\ndone | sh\n"},
	{"grep -l selector then tail -c and gzip", "configure", "f=`grep -l '^#%#' $srcdir/tests/files/*`\ntail -c +100 \"$f\" | gzip -dc | sh\n"},
	{"awk system()", "configure", "awk '{ system($0) }' tests/files/cmds.dat\n"},
	{"perl system()", "configure", "xz -dc tests/files/p.xz | perl -ne 'system($_)'\n"},
	{"base64 literal", "configure", "echo ZWNobyBwd25lZCA+IC90bXAveAo= | base64 -d | sh\n"},
	{"rev", "configure", "rev tests/files/p.txt | sh\n"},
	{"xxd -r -p", "configure", "xxd -r -p tests/files/p.hex | bash\n"},
	{"decoder in a variable", "configure", "d=xz\n$d -dc tests/files/p.xz | sh\n"},
	{"decoder named at run time", "configure", "f=`grep -aErls '#{4}[[:alnum:]]{5}#{4}$' $srcdir/ 2>/dev/null`\np=`echo $f | sed 's/.*\\.//g'`\n$p -d < \"$f\" | sh\n"},
	{"heredoc to sh", "configure", "sh <<EOF\n$(xz -dc tests/files/p.xz)\nEOF\n"},
	{"eval'ed tr cipher string", "configure", "m='tr \"\\t \\-_\" \" \\t_\\-\"'\neval $m < tests/files/x.txt | sh\n"},
	{"$(<file)", "configure", "eval \"$(<tests/files/p.dat)\"\n"},
	{"source <(gzip -dc)", "configure", "source <(gzip -dc tests/files/p.gz)\n"},
	{"xargs sh -c", "configure", "base64 --decode tests/files/p.txt | xargs -0 sh -c\n"},
	{"function wrapping the decoder", "configure", "dec () { xz -dc \"$1\"; }\ndec tests/files/p.xz | sh\n"},
	{"Makefile recipe", "Makefile.in", "check-local:\n\t@xz -dc $(srcdir)/tests/files/p.xz | $(SHELL)\n"},
	{"Makefile.am recipe with temp file", "tests/Makefile.am", "all-local:\n\tgzip -dc $(srcdir)/files/p.gz > t.sh && $(SHELL) t.sh\n"},
	{"m4 body", "m4/evil.m4", "AC_DEFUN([EVIL_INIT],\n[\n  ev_f=`ls $srcdir/tests/files/bad-2-*`\n  AC_CONFIG_COMMANDS([evil], [xz -dc $ev_f | $SHELL])\n])\n"},
	{"xz 5.6.x build-to-host.m4 (reconstructed)", "m4/build-to-host.m4", buildToHostM4},
	{"existing injected m4 fixture", "m4/build-to-host.m4", injectedM4},
}

// buildToHostM4 reconstructs the technique of xz 5.6.0's
// m4/build-to-host.m4 from public write-ups: a grep over the source tree
// picks the test file carrying a marker line, sed "r\n" reads it, a tr
// character swap and "$prefix -d" decode it, and config.status evals the
// result into $SHELL. The data it would select is built by the tests; no
// upstream file is copied.
const buildToHostM4 = `# build-to-host.m4 serial 30
dnl Copyright (C) 2023-2024 Free Software Foundation, Inc.
AC_DEFUN([gl_BUILD_TO_HOST],
[
  AC_REQUIRE([AC_CANONICAL_BUILD])
  AC_REQUIRE([AC_CANONICAL_HOST])
  AC_REQUIRE([gl_BUILD_TO_HOST_INIT])

  dnl Define somedir_c.
  gl_final_[$1]="$[$1]"
  gl_[$1]_prefix=` + "`" + `echo $gl_am_configmake | sed "s/.*\.//g"` + "`" + `
  dnl Convert it to C string syntax.
  [$1]_c=` + "`" + `printf '%s\n' "$gl_final_[$1]" | sed -e "$gl_sed_double_backslashes" -e "$gl_sed_escape_doublequotes" | tr -d "$gl_tr_cr"` + "`" + `
  [$1]_c='"'"$[$1]_c"'"'
  AC_SUBST([$1_c])
  if test "x$gl_am_configmake" != "x"; then
    gl_[$1]_config='sed \"r\n\" $gl_am_configmake | eval $gl_path_map | $gl_[$1]_prefix -d 2>/dev/null'
  else
    gl_[$1]_config=''
  fi
  _LT_TAGDECL([], [gl_path_map], [2])dnl
  _LT_TAGDECL([], [gl_[$1]_prefix], [2])dnl
  _LT_TAGDECL([], [gl_am_configmake], [2])dnl
  _LT_TAGDECL([], [gl_[$1]_config], [2])dnl
  AC_SUBST([$1_c_make])
  AC_CONFIG_COMMANDS([build-to-host], [eval $gl_config_gt | $SHELL 2>/dev/null], [gl_config_gt="eval \$gl_[$1]_config"])
])

AC_DEFUN([gl_BUILD_TO_HOST_INIT],
[
  gl_am_configmake=` + "`" + `grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null` + "`" + `
  if test -n "$gl_am_configmake"; then
    HAVE_PKG_CONFIGMAKE=1
  else
    HAVE_PKG_CONFIGMAKE=0
  fi
  gl_sed_double_backslashes='s/\\/\\\\/g'
  gl_sed_escape_doublequotes='s/"/\\"/g'
  gl_path_map='tr "\t \-_" " \t_\-"'
  case ` + "`" + `echo r | tr -d '\r'` + "`" + ` in
    '') gl_tr_cr='\015' ;;
    *)  gl_tr_cr='\r' ;;
  esac
])
`

// honestSnippets are idioms of real configure, libtool, gettext, gnulib and
// automake output that eval, source or pipe into shells without running
// data: none may be a flow.
var honestSnippets = []struct{ name, path, script string }{
	{"libtool symbol to cdecl", "configure", "lt_cv_sys_global_symbol_to_cdecl=\"sed -n -e 's/^T .* \\(.*\\)$/extern int \\1();/p'\"\nif eval \"$lt_cv_sys_global_symbol_to_cdecl\"' < \"$nlist\" >> conftest.c'; then :; fi\n"},
	{"gnulib eval ac_cv", "configure", "for ac_func in strdup; do\n  eval ac_cv_func_$ac_func=yes\n  eval \"gl_cv_$ac_func=\\$ac_cv_func_$ac_func\"\ndone\n"},
	{"as_tr_sh", "configure", "as_tr_sh=\"eval sed 'y%*+%pp%;s%[^_$as_cr_alnum]%_%g'\"\nas_ac_var=`$as_echo \"ac_cv_func_$ac_func\" | $as_tr_sh`\neval as_val=\\$$as_ac_var\n"},
	{"option parsing", "configure", "ac_optarg=`expr \"X$ac_option\" : '[^=]*=\\(.*\\)'`\nac_useropt=`$as_echo \"$ac_useropt\" | sed 's/[-+.]/_/g'`\neval enable_$ac_useropt=\\$ac_optarg\n"},
	{"config.site", "configure", "for ac_site_file in \"$ac_site_file1\" \"$ac_site_file2\"; do\n  if test -r \"$ac_site_file\"; then\n    . \"$ac_site_file\"\n  fi\ndone\n"},
	{"sed | tr", "configure", "sed -e 's/x/y/' conftest.$ac_ext | tr -d '\\r' > conftest.out\n"},
	{"ac_link eval", "configure", "ac_link='$CC -o conftest$ac_exeext $CFLAGS $CPPFLAGS $LDFLAGS conftest.$ac_ext $LIBS >&5'\nif { (eval \"$ac_link\") 2>conftest.err; }; then :; fi\n"},
	{"as_fn_* functions", "configure", "as_fn_set_status () { return $1; }\nas_fn_exit () { set +e; as_fn_set_status $1; exit $1; }\nas_fn_append () { eval $1+=\\$2; }\nas_fn_append ac_configure_args \" '$ac_arg'\"\n"},
	{"config.status rerun", "configure", "ac_cs_config=`$as_echo \"$ac_configure_args\" | sed 's/^ //; s/[\\\\\"\\`\\$]/\\\\\\\\&/g'`\neval set X \"$ac_cs_config\"\nexec $SHELL $0 $ac_configure_args --no-create --no-recursion\n"},
	{"Makefile sed substitution", "Makefile.in", "foo: foo.in\n\t$(AM_V_GEN)$(SED) -e 's|@bindir[@]|$(bindir)|g' < $(srcdir)/foo.in > foo\n"},
	{"test harness sourcing its library", "tests/t1.sh", "#!/bin/sh\n. \"$srcdir/tests/test-lib.sh\"\nxz -dc \"$srcdir/tests/files/good-1.xz\" > /dev/null || exit 1\n"},
	{"test harness glob over scripts", "tests/Makefile.am", "check-local:\n\tfor t in $(srcdir)/tests/*.sh; do $(SHELL) $$t || exit 1; done\n"},
	{"dist compression", "Makefile.in", "dist-gzip: distdir\n\ttardir=$(distdir) && $(am__tar) | eval GZIP= gzip $(GZIP_ENV) -c >$(distdir).tar.gz\n"},
	{"gettext po Makefile", "po/Makefile.in.in", "$(DOMAIN).pot-update: $(POTFILES)\n\ttest ! -f $(srcdir)/$(DOMAIN).pot || { $(MSGMERGE_UPDATE) $(srcdir)/$(DOMAIN).pot $(DOMAIN).po-new; }\n\tcat $(srcdir)/remove-potcdate.sin | sed -e '/^#/d' > remove-potcdate.sed\n"},
	{"m4 macro with eval", "m4/gl_func.m4", "AC_DEFUN([gl_FUNC_X],\n[\n  AC_CACHE_CHECK([for x], [gl_cv_func_x],\n    [eval gl_cv_func_x=no])\n  case \"$gl_cv_func_x\" in *yes) ;; *) eval \"$1=1\" ;; esac\n])\n"},
	{"install -d", "Makefile.in", "install-data-local:\n\t$(INSTALL) -d $(DESTDIR)$(pkgdatadir)\n\t$(MKDIR_P) $(DESTDIR)$(docdir)\n"},
	{"python version probe", "configure", "am_cv_python_version=`$PYTHON -c \"import sys; print('%u.%u' % sys.version_info[:2])\"`\neval \"PYTHON_VERSION=$am_cv_python_version\"\n"},
}

func TestScanFlowsVariants(t *testing.T) {
	var table strings.Builder
	for _, v := range flowVariants {
		res := ScanFlows(v.path, []byte(v.script))
		flagged := len(res.Flows) > 0
		fmt.Fprintf(&table, "| %s | %v |\n", v.name, flagged)
		if !flagged {
			t.Errorf("%s: no flow (notes %q)", v.name, res.Notes)
			continue
		}
		f := res.Flows[0]
		if f.Sink == "" || len(f.Lines) == 0 || len(f.Evidence) == 0 {
			t.Errorf("%s: incomplete flow %+v", v.name, f)
		}
		// Every variant reads a data file except the decoded literals.
		literal := v.name == "printf octal escapes" || v.name == "shell arithmetic table" || v.name == "base64 literal"
		if res.Critical() == literal {
			t.Errorf("%s: critical = %v (flow %s)", v.name, res.Critical(), f.Describe())
		}
	}
	if len(flowVariants) < 30 {
		t.Errorf("only %d variants", len(flowVariants))
	}
	t.Logf("variant table:\n%s", table.String())
}

func TestScanFlowsHonest(t *testing.T) {
	for _, h := range honestSnippets {
		res := ScanFlows(h.path, []byte(h.script))
		if len(res.Flows) > 0 {
			t.Errorf("%s: flagged %+v", h.name, res.Flows)
		}
	}
}

// TestScanFlowsBuildToHost checks the reconstructed xz technique end to
// end: the flow runs from the grep selector through tr and "$prefix -d"
// into $SHELL, with the lines of each step, and its selector picks the
// marked test file out of a tree built here.
func TestScanFlowsBuildToHost(t *testing.T) {
	res := ScanFlows("m4/build-to-host.m4", []byte(buildToHostM4))
	if len(res.Flows) == 0 {
		t.Fatalf("no flow; notes %q", res.Notes)
	}
	f := res.Flows[0]
	if !f.DataSource || !res.Critical() {
		t.Errorf("flow not from a data source: %+v", f)
	}
	if !strings.Contains(f.Sink, "SHELL") {
		t.Errorf("sink = %q, want | $SHELL", f.Sink)
	}
	ev := strings.Join(f.Evidence, "\n")
	for _, want := range []string{"grep -aErls", "gl_path_map='tr", "sed \\\"r\\n\\\"", "eval $gl_config_gt | $SHELL"} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
	if len(f.Selectors) == 0 {
		t.Fatalf("flow names no selector: %+v", f)
	}
	files := []SelectFile{
		memFile("tests/files/good-1-lzma2.xz", "\xfd7zXZ\x00\x00binary\n"),
		memFile("tests/files/bad-3-corrupt_lzma2.xz", "\xfd7zXZ\x00junk\n####Hello####\nmore\x00\n####World####\n"),
		memFile("src/main.c", "int main(void) { return 0; } // ####Hi####\n"),
		memFile("README", "## heading\n"),
	}
	got, err := f.Selectors[0].Select(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "tests/files/bad-3-corrupt_lzma2.xz" {
		t.Errorf("selects %q, want the marked test file", got)
	}
}

func memFile(p, content string) SelectFile {
	return SelectFile{Path: p, Read: func(limit int64) ([]byte, error) {
		b := []byte(content)
		if int64(len(b)) > limit {
			b = b[:limit]
		}
		return b, nil
	}}
}

func TestSelectorEvaluation(t *testing.T) {
	files := []SelectFile{
		memFile("tests/files/bad-2-a.xz", "x"),
		memFile("tests/files/bad-2-b.lzma", "MARK1234\n"),
		memFile("tests/files/good-1.xz", "abc\n"),
		memFile("tests/sub/bad-2-c.xz", "aaa(b)\n"),
		memFile("src/x.c", "MARK5678 aaa(b)\n"),
	}
	cases := []struct {
		name string
		sel  Selector
		want []string
		err  bool
	}{
		{"glob", Selector{Kind: SelectGlob, Pattern: "tests/files/bad-2-*"}, []string{"tests/files/bad-2-a.xz", "tests/files/bad-2-b.lzma"}, false},
		{"glob class", Selector{Kind: SelectGlob, Pattern: "tests/*/bad-2-[!a]*"}, []string{"tests/files/bad-2-b.lzma", "tests/sub/bad-2-c.xz"}, false},
		{"find -name", Selector{Kind: SelectFindName, Pattern: "bad-2-*.xz", Roots: []string{"tests"}}, []string{"tests/files/bad-2-a.xz", "tests/sub/bad-2-c.xz"}, false},
		{"find -path", Selector{Kind: SelectFindPath, Pattern: "*/sub/*"}, []string{"tests/sub/bad-2-c.xz"}, false},
		{"find -regex emacs", Selector{Kind: SelectFindRegex, Syntax: "emacs", Pattern: `.*bad-2-[ab]\.\(xz\|lzma\)`}, []string{"tests/files/bad-2-a.xz", "tests/files/bad-2-b.lzma"}, false},
		{"grep ERE interval", Selector{Kind: SelectGrep, Syntax: "ERE", Pattern: `^MARK[0-9]{4}$`, Roots: []string{""}, Recursive: true}, []string{"tests/files/bad-2-b.lzma"}, false},
		{"grep BRE group", Selector{Kind: SelectGrep, Syntax: "BRE", Pattern: `a\{3\}(b)`, Roots: []string{""}, Recursive: true}, []string{"tests/sub/bad-2-c.xz", "src/x.c"}, false},
		{"grep -L", Selector{Kind: SelectGrep, Syntax: "fixed", Pattern: "MARK", Roots: []string{"tests"}, Recursive: true, Invert: true}, []string{"tests/files/bad-2-a.xz", "tests/files/good-1.xz", "tests/sub/bad-2-c.xz"}, false},
		{"grep -i -w", Selector{Kind: SelectGrep, Syntax: "BRE", Pattern: "abc", IgnoreCase: true, WordMatch: true, Roots: []string{"tests/files/good-1.xz"}}, []string{"tests/files/good-1.xz"}, false},
		{"back reference", Selector{Kind: SelectGrep, Syntax: "BRE", Pattern: `\(a\)\1`, Recursive: true}, nil, true},
		{"equivalence class", Selector{Kind: SelectGrep, Syntax: "ERE", Pattern: `[[=a=]]`, Recursive: true}, nil, true},
	}
	for _, c := range cases {
		got, err := c.sel.Select(files)
		if c.err {
			if !errors.Is(err, ErrNotEvaluated) {
				t.Errorf("%s: err = %v, want not evaluated", c.name, err)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestSelectorFromScript(t *testing.T) {
	script := "for f in tests/files/bad-2-*; do :; done\nx=`grep -rlE 'a{2}' $srcdir/tests`\ny=$(find $srcdir -name 'bad-*.xz')\nz=`grep -l -f pats.txt $srcdir`\n"
	res := ScanFlows("configure", []byte(script))
	kinds := map[string]Selector{}
	for _, s := range res.Selectors {
		kinds[s.Kind] = s
	}
	if s := kinds[SelectGlob]; s.Pattern != "tests/files/bad-2-*" || s.Line != 1 {
		t.Errorf("glob selector = %+v", s)
	}
	if s := kinds[SelectFindName]; s.Pattern != "bad-*.xz" || len(s.Roots) != 1 || s.Roots[0] != "" {
		t.Errorf("find selector = %+v", s)
	}
	var grep, fromFile Selector
	for _, s := range res.Selectors {
		if s.Kind == SelectGrep && s.Line == 2 {
			grep = s
		}
		if s.Kind == SelectGrep && s.Line == 4 {
			fromFile = s
		}
	}
	if grep.Syntax != "ERE" || !grep.Recursive || grep.Pattern != "a{2}" || len(grep.Roots) != 1 || grep.Roots[0] != "tests" {
		t.Errorf("grep selector = %+v", grep)
	}
	if _, err := fromFile.Select(nil); !errors.Is(err, ErrNotEvaluated) {
		t.Errorf("grep -f selector evaluated: %+v, %v", fromFile, err)
	}
}

func TestScanFlowsFallback(t *testing.T) {
	res := ScanFlows("CMakeLists.txt", []byte("execute_process(COMMAND xz -dc x)\n"))
	if res.Parsed || len(res.Notes) == 0 {
		t.Errorf("CMake read as shell: %+v", res)
	}
	// A line that does not parse is blanked, the rest still analysed.
	res = ScanFlows("configure", []byte("if then fi (\nxz -dc tests/files/p.xz | sh\n"))
	if res.Parsed || len(res.Notes) == 0 || len(res.Flows) != 1 {
		t.Errorf("fallback: %+v", res)
	}
	big := make([]byte, MaxFlowParseBytes+1)
	if res := ScanFlows("configure", big); len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "larger than") {
		t.Errorf("oversized input: %+v", res.Notes)
	}
}

// TestScanFlowsInstalledFiles is the false-positive guard: the m4 macros and
// scripts of autoconf, automake, libtool, gettext and gnulib installed on
// this machine contain no flow.
func TestScanFlowsInstalledFiles(t *testing.T) {
	var files []string
	for _, pat := range []string{"/usr/share/aclocal/*.m4", "/usr/share/aclocal-*/*.m4", "/usr/share/gnulib/m4/*.m4",
		"/usr/share/autoconf/autoconf/*.m4", "/usr/share/autoconf/m4sugar/*.m4", "/usr/share/autoconf/autotest/*.m4",
		"/usr/share/libtool/configure", "/usr/share/libtool/build-aux/*", "/usr/share/automake-*/*", "/usr/share/gettext/config.rpath",
		"/usr/share/gettext/po/Makefile.in.in", "/usr/share/gnulib/build-aux/*"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 100 {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
			t.Fatalf("only %d installed autotools files found", len(files))
		}
		t.Skipf("only %d installed autotools files found", len(files))
	}
	scanned, parsed := 0, 0
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			continue
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			continue
		}
		res := ScanFlows(filepath.Base(p), b)
		if filepath.Ext(p) == ".m4" {
			res = ScanFlows("m4/"+filepath.Base(p), b)
		}
		scanned++
		if res.Parsed {
			parsed++
		}
		for _, f := range res.Flows {
			t.Errorf("%s: false flow %s -> %v -> %s\n%s", p, f.Source, f.Transforms, f.Sink, strings.Join(f.Evidence, "\n"))
		}
	}
	t.Logf("scanned %d installed files, %d parsed whole as shell, zero flows expected", scanned, parsed)
}

// TestClassifyFlowSelects: the classifier runs the flow scan, rates a flow
// from a data file critical, and names the file the m4's grep selects.
func TestClassifyFlowSelects(t *testing.T) {
	ctx := &Context{
		DB:            NewM4DB(),
		IsBinaryInGit: func(p string) bool { return strings.HasPrefix(p, "tests/files/") },
		InGit:         func(p string) bool { return p != "m4/build-to-host.m4" },
		Files: func() []SelectFile {
			return []SelectFile{
				memFile("tests/files/good-1-lzma2.xz", "\xfd7zXZ\x00\x00"),
				memFile("tests/files/bad-3-corrupt_lzma2.xz", "\xfd7zXZ\x00junk\n####Hello####\n"),
				memFile("m4/build-to-host.m4", buildToHostM4),
			}
		},
	}
	r := Classify(tarOnly("m4/build-to-host.m4", buildToHostM4), ctx)
	if r.Severity != SevCritical || r.Class != ClassSuspicious {
		t.Fatalf("got %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
	var flow *Signal
	for i := range r.Signals {
		if r.Signals[i].Rule == RuleDataFlow {
			flow = &r.Signals[i]
		}
	}
	if flow == nil || flow.Severity != SevCritical {
		t.Fatalf("no critical %s signal: %+v", RuleDataFlow, r.Signals)
	}
	if len(flow.Selects) != 1 || flow.Selects[0] != "tests/files/bad-3-corrupt_lzma2.xz" {
		t.Errorf("selects %q", flow.Selects)
	}
	if !strings.Contains(flow.Evidence[0], "selects tests/files/bad-3-corrupt_lzma2.xz (binary data in git)") {
		t.Errorf("evidence %q", flow.Evidence)
	}
	if len(flow.Evidence) > maxEvidence {
		t.Errorf("%d evidence lines", len(flow.Evidence))
	}

	// A keyword-free decoder alone: high, and the class says why.
	script := "#!/bin/sh\ns=\nfor n in 102 100; do s=\"$s$(printf \"\\\\$(printf %o $((n - 1)))\")\"; done\neval \"$s\"\n"
	r = Classify(tarOnly("build-aux/helper.sh", script), &Context{DB: NewM4DB()})
	if r.Severity.Rank() < SevHigh.Rank() || r.Class != ClassSuspicious {
		t.Errorf("keyword-free decoder: %s/%s (%s)", r.Class, r.Severity, r.Reason)
	}
}

func FuzzScanFlows(f *testing.F) {
	for _, v := range flowVariants {
		f.Add(v.path, []byte(v.script))
	}
	for _, h := range honestSnippets[:5] {
		f.Add(h.path, []byte(h.script))
	}
	f.Add("m4/x.m4", []byte("AC_DEFUN([A], [B([C], [D(])])\n[[[$1]]] dnl x\n"))
	f.Add("Makefile.in", []byte("a:\n\t$(X) \\\n\t$$y | $(SHELL)\n"))
	f.Add("configure", []byte("eval \"$(eval \"$(eval \"$x\")\")\"\nf() { f | sh; }\nf\n"))
	f.Fuzz(func(t *testing.T, p string, b []byte) {
		res := ScanFlows(p, b)
		if len(res.Flows) > MaxFlows || len(res.Selectors) > MaxFlows {
			t.Fatalf("caps exceeded: %d flows, %d selectors", len(res.Flows), len(res.Selectors))
		}
		for _, fl := range res.Flows {
			if fl.Sink == "" || len(fl.Lines) == 0 || len(fl.Evidence) == 0 || len(fl.Evidence) > maxEvidence {
				t.Fatalf("bad flow %+v", fl)
			}
		}
		files := []SelectFile{memFile("tests/files/a.xz", string(b)), memFile("x", "y\n")}
		for _, s := range res.Selectors {
			got, err := s.Select(files)
			if err != nil && !errors.Is(err, ErrNotEvaluated) {
				t.Fatalf("select %+v: %v", s, err)
			}
			if len(got) > len(files) {
				t.Fatalf("selected %d of %d files", len(got), len(files))
			}
		}
		sigs, _ := ScanBuildScriptFlows(p, b)
		for _, s := range sigs {
			if s.Rule == "" || len(s.Evidence) == 0 || len(s.Evidence) > maxEvidence {
				t.Fatalf("bad signal %+v", s)
			}
		}
	})
}

func FuzzSelectorPattern(f *testing.F) {
	f.Add("#{4}[[:alnum:]]{5}#{4}$", "ERE", "x\n####Hello####\n")
	f.Add(`a\{2,\}\(b\|c\)*`, "BRE", "aab")
	f.Add("tests/*/bad-[!x]?", "glob", "")
	f.Add(`.*\.\(xz\|lzma\)`, "emacs", "")
	f.Fuzz(func(t *testing.T, pat, syntax, content string) {
		kind := SelectGrep
		if syntax == "glob" {
			kind = SelectGlob
		}
		s := Selector{Kind: kind, Pattern: pat, Syntax: syntax, Recursive: true}
		got, err := s.Select([]SelectFile{memFile("tests/files/bad-1", content)})
		if err != nil && !errors.Is(err, ErrNotEvaluated) {
			t.Fatalf("%q: %v", pat, err)
		}
		if len(got) > 1 {
			t.Fatalf("%q selected %q", pat, got)
		}
	})
}

func TestSelectorGrepLongOptions(t *testing.T) {
	res := ScanFlows("configure", []byte("x=`grep --recursive --files-with-matches --extended-regexp --regexp='^M{2}$' --binary-files=without-match \"$srcdir/tests\"`\n"))
	if len(res.Selectors) != 1 {
		t.Fatalf("selectors %+v", res.Selectors)
	}
	s := res.Selectors[0]
	if s.Syntax != "ERE" || !s.Recursive || !s.SkipBinary || s.Pattern != "^M{2}$" || s.Roots[0] != "tests" {
		t.Errorf("selector %+v", s)
	}
	got, err := s.Select([]SelectFile{memFile("tests/a", "MM\n"), memFile("tests/b", "MM\n\x00"), memFile("src/c", "MM\n")})
	if err != nil || len(got) != 1 || got[0] != "tests/a" {
		t.Errorf("selects %q, %v", got, err)
	}
}
