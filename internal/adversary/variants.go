package adversary

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Family names, after the "Why" lists of issues 15 and 16.
const (
	// FamilyControl is the honest release re-packed: it must pass.
	FamilyControl = "control"
	// FamilyM4 is the xz position: a gnulib m4 file with its serial kept or
	// bumped by one, a new m4 file overriding an automake or autoconf macro,
	// an m4 symlink to a tarball-only file.
	FamilyM4 = "m4-serial-kept"
	// FamilyDecoder hides the payload in a test vector tracked in git,
	// chosen by a glob and decoded without the usual keywords.
	FamilyDecoder = "keyword-free-decoder"
	// FamilyHelper edits a copied helper script and keeps or forges its stamp.
	FamilyHelper = "helper-stamp"
	// FamilyClaim relies on an exemption tarcheck grants to what a file
	// claims (export-subst, release stamps, omissions, .gmo, PNG, .po, modes).
	FamilyClaim = "claim-exemption"
	// FamilyNewContent adds build or test content only to the tarball.
	FamilyNewContent = "tarball-only-content"
	// FamilyRegenerated edits regenerated autotools outputs (issue 16).
	FamilyRegenerated = "regenerated-output"
)

// Trigger is the step of a user's build that runs a variant's payload.
type Trigger string

// Triggers.
const (
	// TriggerConfigure: ./configure runs the payload.
	TriggerConfigure Trigger = "configure"
	// TriggerMake: make (all) runs it.
	TriggerMake Trigger = "make"
	// TriggerCheck: make check runs it.
	TriggerCheck Trigger = "make check"
	// TriggerCMake: a CMake configure runs it (not proved when cmake is missing).
	TriggerCMake Trigger = "cmake"
	// TriggerNone: nothing runs; the change weakens the build or carries data.
	TriggerNone Trigger = "none"
)

// Variant is one tampered release of the suite.
type Variant struct {
	// ID names the variant (and its marker file, see MarkerName).
	ID string `json:"id"`
	// Family is one of the Family* constants.
	Family string `json:"family"`
	// Injected are the release paths the attacker wrote or removed: the
	// files that must be at least high for the variant to count as caught.
	Injected []string `json:"injected"`
	// Regenerated are release outputs the attacker regenerated from the
	// injected inputs with the real tools (configure, aclocal.m4, ...).
	Regenerated []string `json:"regenerated,omitempty"`
	// Removed are release paths the variant deletes besides the injected
	// ones (the old spelling of a renamed file); they are not judged.
	Removed []string `json:"removed,omitempty"`
	// Trigger is where the payload runs.
	Trigger Trigger `json:"trigger"`
	// ExpectDefault says the injected file should be caught (FAIL with it at
	// high or above) without --rebuild, as issue 15 asks; ExpectRebuild the
	// same with --rebuild (issue 16). The control variant expects PASS.
	ExpectDefault bool `json:"expect_default"`
	ExpectRebuild bool `json:"expect_rebuild"`
	// BuildFails says the payload runs but the build step then fails (a
	// forged stamp trips the tool's own consistency check): not stealthy.
	BuildFails bool `json:"build_fails,omitempty"`
	// Note says in one line what the variant does.
	Note string `json:"note"`
	// Tarball is the variant's release (.tar.gz) once generated.
	Tarball string `json:"tarball"`
}

// spec is a variant before generation.
type spec struct {
	Variant
	regen bool // rerun aclocal/autoconf/autoheader/automake after edit
	edit  func(g *genContext, t tree) error
}

// genContext is what the editors may use.
type genContext struct {
	ctx     context.Context
	commit  string // the tagged commit (for export-subst)
	scratch string // a directory for tools the editors run
}

// setup sets ADVERSARY_VARIANT for the decoded payload, in shell.
func setup(id string) string {
	return variantEnv + "=" + id + "; export " + variantEnv + "\n"
}

// plainPayload creates the marker directly, in shell.
func plainPayload(id string) string {
	return setup(id) + payloadScript
}

// globbed wraps a decoder so that it picks its vector by glob.
func globbed(id string, d decoder) string {
	return setup(id) + `for adv_f in "${srcdir-.}"/tests/files/bad-2-` + d.letter + "*; do\n  " + d.shell + "\ndone\n"
}

// m4Quote makes shell text safe inside an m4 macro body: brackets become
// quadrigraphs (autoconf turns them back).
func m4Quote(s string) string {
	return strings.NewReplacer("[", "@<:@", "]", "@:>@").Replace(s)
}

// edit replaces the content of path through fn, failing when the file is
// missing or fn changes nothing.
func (t tree) edit(path string, fn func(string) (string, error)) error {
	m, ok := t[path]
	if !ok || m.link != "" {
		return fmt.Errorf("adversary: %s is not a file of the release", path)
	}
	after, err := fn(string(m.data))
	if err != nil {
		return fmt.Errorf("adversary: editing %s: %w", path, err)
	}
	if after == string(m.data) {
		return fmt.Errorf("adversary: editing %s changed nothing", path)
	}
	t[path] = &member{data: []byte(after), mode: m.mode}
	return nil
}

// insertAfter inserts text after the first line that contains anchor.
func insertAfter(s, anchor, text string) (string, error) {
	i := strings.Index(s, anchor)
	if i < 0 {
		return "", fmt.Errorf("no line with %q", anchor)
	}
	j := strings.IndexByte(s[i:], '\n')
	if j < 0 {
		return s + "\n" + text, nil
	}
	k := i + j + 1
	return s[:k] + text + s[k:], nil
}

// insertBefore inserts text before the line that starts with anchor.
func insertBefore(s, anchor, text string) (string, error) {
	i := strings.Index(s, "\n"+anchor)
	if i < 0 {
		return "", fmt.Errorf("no line starting with %q", anchor)
	}
	return s[:i+1] + text + s[i+1:], nil
}

// intoMacro inserts shell lines at the start of the body of the AC_DEFUN of
// macro.
func intoMacro(s, macro, shell string) (string, error) {
	i := strings.Index(s, "AC_DEFUN(["+macro+"],")
	if i < 0 {
		return "", fmt.Errorf("no AC_DEFUN of %s", macro)
	}
	j := strings.Index(s[i:], "\n[")
	if j < 0 {
		return "", fmt.Errorf("AC_DEFUN of %s has no body on the next line", macro)
	}
	k := i + j + 2
	return s[:k] + "\n" + m4Quote(shell) + s[k:], nil
}

var serialRE = regexp.MustCompile(`(?m)^(# \S+ serial )(\d+)`)

// setSerial rewrites the serial line of an m4 file with fn(old).
func setSerial(s string, fn func(int) int) (string, error) {
	m := serialRE.FindStringSubmatchIndex(s)
	if m == nil {
		return "", fmt.Errorf("no serial line")
	}
	var n int
	fmt.Sscan(s[m[4]:m[5]], &n)
	return s[:m[4]] + fmt.Sprint(fn(n)) + s[m[5]:], nil
}

// automakeMacro reads one of automake's own macro files (for the override
// variants, which copy it as a real attacker would).
func automakeMacro(name string) (string, error) {
	out, err := exec.Command("automake", "--print-libdir").Output()
	if err != nil {
		return "", fmt.Errorf("automake --print-libdir: %w", err)
	}
	ver := filepath.Base(strings.TrimSpace(string(out))) // automake-1.16
	dir := filepath.Join("/usr/share", "aclocal-"+strings.TrimPrefix(ver, "automake-"))
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", fmt.Errorf("automake macro %s: %w", name, err)
	}
	return string(b), nil
}

// sameFile edits path with fn and records nothing else.
func editFile(path string, fn func(string) (string, error)) func(*genContext, tree) error {
	return func(_ *genContext, t tree) error { return t.edit(path, fn) }
}

// specs is the suite, in table order.
func specs() []spec {
	var out []spec
	add := func(s spec) { out = append(out, s) }
	both := func(v Variant) Variant { v.ExpectDefault, v.ExpectRebuild = true, true; return v }

	add(spec{Variant: Variant{ID: "control", Family: FamilyControl, Trigger: TriggerNone,
		Note: "the honest make dist release, re-packed: must PASS"},
		edit: func(*genContext, tree) error { return nil }})

	// The xz position.
	add(spec{Variant: both(Variant{ID: "m4-serial-kept", Family: FamilyM4, Trigger: TriggerConfigure,
		Injected: []string{"m4/visibility.m4"}, Regenerated: []string{"configure"},
		Note: "gnulib visibility.m4, upstream serial kept, three shell lines added to gl_VISIBILITY"}), regen: true,
		edit: editFile("m4/visibility.m4", func(s string) (string, error) {
			return intoMacro(s, "gl_VISIBILITY", globbed("m4-serial-kept", decoderByID("gzip-cd")))
		})})
	add(spec{Variant: both(Variant{ID: "m4-serial-plus-one", Family: FamilyM4, Trigger: TriggerConfigure,
		Injected: []string{"m4/warnings.m4"}, Regenerated: []string{"configure"},
		Note: "gnulib warnings.m4, serial bumped by one, payload in gl_WARN_ADD"}), regen: true,
		edit: editFile("m4/warnings.m4", func(s string) (string, error) {
			s, err := setSerial(s, func(n int) int { return n + 1 })
			if err != nil {
				return "", err
			}
			return intoMacro(s, "gl_WARN_ADD", plainPayload("m4-serial-plus-one"))
		})})
	add(spec{Variant: both(Variant{ID: "m4-serial-older", Family: FamilyM4, Trigger: TriggerConfigure,
		Injected: []string{"m4/ld-version-script.m4"}, Regenerated: []string{"configure"},
		Note: "gnulib ld-version-script.m4 claiming an older real serial, payload added"}), regen: true,
		edit: editFile("m4/ld-version-script.m4", func(s string) (string, error) {
			s, err := setSerial(s, func(n int) int { return n - 1 })
			if err != nil {
				return "", err
			}
			return intoMacro(s, "gl_LD_VERSION_SCRIPT", plainPayload("m4-serial-older"))
		})})
	add(spec{Variant: both(Variant{ID: "m4-new-override-automake", Family: FamilyM4, Trigger: TriggerConfigure,
		Injected: []string{"m4/am-leading-dot.m4"}, Regenerated: []string{"aclocal.m4", "configure", "Makefile.in"},
		Note: "new m4 file of an unknown name redefining automake's AM_SET_LEADING_DOT (aclocal prefers -I m4)"}), regen: true,
		edit: func(_ *genContext, t tree) error {
			s, err := automakeMacro("lead-dot.m4")
			if err != nil {
				return err
			}
			s, err = intoMacro(s, "AM_SET_LEADING_DOT", globbed("m4-new-override-automake", decoderByID("base32-d")))
			if err != nil {
				return err
			}
			t["m4/am-leading-dot.m4"] = &member{data: []byte(s), mode: 0o644}
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "m4-new-hook-ac-prog-cc", Family: FamilyM4, Trigger: TriggerConfigure,
		Injected: []string{"m4/ax_prog_cc_hooks.m4"}, Regenerated: []string{"aclocal.m4", "configure", "Makefile.in"},
		Note: "new m4 file copying automake's AM_PROG_INSTALL_STRIP and appending a payload to AC_PROG_CC at top level"}), regen: true,
		edit: func(_ *genContext, t tree) error {
			s, err := automakeMacro("strip.m4")
			if err != nil {
				return err
			}
			s += "\nm4_define([AC_PROG_CC], m4_defn([AC_PROG_CC])[\n" + m4Quote(globbed("m4-new-hook-ac-prog-cc", decoderByID("sed-y"))) + "])\n"
			t["m4/ax_prog_cc_hooks.m4"] = &member{data: []byte(s), mode: 0o644}
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "m4-symlink-txt", Family: FamilyM4, Trigger: TriggerConfigure,
		Injected: []string{"m4/visibility.m4", "doc/visibility.txt"}, Regenerated: []string{"configure"},
		Note: "m4/visibility.m4 is a symlink to a tarball-only doc/visibility.txt holding the edited macro"}), regen: true,
		edit: func(_ *genContext, t tree) error {
			s, err := intoMacro(string(t["m4/visibility.m4"].data), "gl_VISIBILITY", plainPayload("m4-symlink-txt"))
			if err != nil {
				return err
			}
			t["doc/visibility.txt"] = &member{data: []byte(s), mode: 0o644}
			t["m4/visibility.m4"] = &member{link: "../doc/visibility.txt", mode: 0o777}
			return nil
		}})

	// Keyword-free decoders in three carriers: gnulib m4 with the serial kept
	// (configure), config.rpath (configure) and ltmain.sh (make).
	m4Carriers := []struct{ file, macro string }{
		{"m4/visibility.m4", "gl_VISIBILITY"}, {"m4/warnings.m4", "gl_WARN_ADD"}, {"m4/ld-version-script.m4", "gl_LD_VERSION_SCRIPT"}}
	carrierOf := map[string]string{
		"xz-long-options": "m4", "od-awk": "m4", "arith-table": "m4", "perl-unpack": "m4", "python3-c": "m4", "pipe-dollar-shell": "m4",
		"gzip-cd": "rpath", "dd-skip": "rpath", "printf-octal": "rpath", "sed-y": "rpath", "dot-source": "rpath",
		"dd-swab": "ltmain", "param-cut": "ltmain", "openssl-enc": "ltmain", "base32-d": "ltmain", "sh-c-var": "ltmain",
	}
	nm4 := 0
	for _, d := range decoders {
		id := "dec-" + d.id
		v := both(Variant{ID: id, Family: FamilyDecoder})
		switch carrierOf[d.id] {
		case "m4":
			c := m4Carriers[nm4%len(m4Carriers)]
			nm4++
			v.Injected, v.Regenerated, v.Trigger = []string{c.file}, []string{"configure"}, TriggerConfigure
			v.Note = fmt.Sprintf("%s in %s (serial kept), vector tests/files/%s by glob", d.shell, c.file, d.file)
			add(spec{Variant: v, regen: true, edit: editFile(c.file, func(s string) (string, error) {
				return intoMacro(s, c.macro, globbed(id, d))
			})})
		case "rpath":
			v.Injected, v.Trigger = []string{"build-aux/config.rpath"}, TriggerConfigure
			v.Note = fmt.Sprintf("%s in build-aux/config.rpath, vector tests/files/%s by glob", d.shell, d.file)
			add(spec{Variant: v, edit: editFile("build-aux/config.rpath", func(s string) (string, error) {
				return insertAfter(s, `host="$1"`, globbed(id, d))
			})})
		case "ltmain":
			v.Injected, v.Trigger = []string{"build-aux/ltmain.sh"}, TriggerMake
			v.Note = fmt.Sprintf("%s in build-aux/ltmain.sh (runs in ./libtool), vector tests/files/%s by glob", d.shell, d.file)
			add(spec{Variant: v, edit: editFile("build-aux/ltmain.sh", func(s string) (string, error) {
				return insertAfter(s, "package_revision=", globbed(id, d))
			})})
		}
	}

	// Copied helpers with kept, forged or impossible stamps.
	add(spec{Variant: both(Variant{ID: "helper-ltmain-forged-version", Family: FamilyHelper, Trigger: TriggerMake, BuildFails: true,
		Injected: []string{"build-aux/ltmain.sh"},
		Note:     "ltmain.sh claiming libtool 2.4.8 (never released) with a payload line; the payload runs, then libtool's own version check stops make"}),
		edit: editFile("build-aux/ltmain.sh", func(s string) (string, error) {
			s = strings.Replace(s, "package_revision=2.4.7", "package_revision=2.4.8", 1)
			s = regexp.MustCompile(`VERSION="2\.4\.7[^"]*"`).ReplaceAllString(s, `VERSION=2.4.8`)
			return insertAfter(s, "package_revision=", plainPayload("helper-ltmain-forged-version"))
		})})
	add(spec{Variant: both(Variant{ID: "helper-ltmain-newer-scriptversion", Family: FamilyHelper, Trigger: TriggerMake,
		Injected: []string{"build-aux/ltmain.sh"},
		Note:     "ltmain.sh with its scriptversion stamps moved to 2024-11-01 (no such libtool release) and a payload line; VERSION kept, so the build succeeds"}),
		edit: editFile("build-aux/ltmain.sh", func(s string) (string, error) {
			s = regexp.MustCompile(`(?m)^scriptversion=[0-9.-]+; # UTC`).ReplaceAllString(s, "scriptversion=2024-11-01.12; # UTC")
			return insertAfter(s, "package_revision=", plainPayload("helper-ltmain-newer-scriptversion"))
		})})
	add(spec{Variant: both(Variant{ID: "helper-config-guess-future", Family: FamilyHelper, Trigger: TriggerConfigure,
		Injected: []string{"build-aux/config.guess"},
		Note:     "config.guess with timestamp 2099-01-01 (later than any release and than the tag) and a payload line"}),
		edit: editFile("build-aux/config.guess", func(s string) (string, error) {
			s = regexp.MustCompile(`(?m)^timestamp='[0-9-]+'`).ReplaceAllString(s, "timestamp='2099-01-01'")
			return insertAfter(s, "timestamp=", plainPayload("helper-config-guess-future"))
		})})
	add(spec{Variant: both(Variant{ID: "helper-config-sub-newer", Family: FamilyHelper, Trigger: TriggerConfigure,
		Injected: []string{"build-aux/config.sub"},
		Note:     "config.sub with a plausible newer timestamp (2024-01-01) and a payload line"}),
		edit: editFile("build-aux/config.sub", func(s string) (string, error) {
			s = regexp.MustCompile(`(?m)^timestamp='[0-9-]+'`).ReplaceAllString(s, "timestamp='2024-01-01'")
			return insertAfter(s, "timestamp=", plainPayload("helper-config-sub-newer"))
		})})
	add(spec{Variant: both(Variant{ID: "helper-po-makefile", Family: FamilyHelper, Trigger: TriggerMake,
		Injected: []string{"po/Makefile.in.in"},
		Note:     "po/Makefile.in.in keeping 'Origin: gettext-0.21' with an extra prerequisite of all"}),
		edit: editFile("po/Makefile.in.in", func(s string) (string, error) {
			return insertAfter(s, "all: all-@USE_NLS@",
				"all: adv-po-check\nadv-po-check:\n\t@"+variantEnv+"=helper-po-makefile; export "+variantEnv+"; gzip -c -d $(top_srcdir)/tests/files/bad-2-s* | $(SHELL)\n.PHONY: adv-po-check\n")
		})})
	add(spec{Variant: both(Variant{ID: "helper-config-rpath", Family: FamilyHelper, Trigger: TriggerConfigure,
		Injected: []string{"build-aux/config.rpath"},
		Note:     "gettext's config.rpath with a payload line, copyright stamp kept"}),
		edit: editFile("build-aux/config.rpath", func(s string) (string, error) {
			return insertAfter(s, `host="$1"`, plainPayload("helper-config-rpath"))
		})})

	// Exemptions on claims.
	add(spec{Variant: both(Variant{ID: "claim-export-subst", Family: FamilyClaim, Trigger: TriggerCheck,
		Injected: []string{"tests/t-version.sh"},
		Note:     "export-subst test script: $Format:%H$ expanded as git archive would, plus a payload line"}),
		edit: func(g *genContext, t tree) error {
			return t.edit("tests/t-version.sh", func(s string) (string, error) {
				s = strings.Replace(s, "$Format:%H$", g.commit, 1)
				return insertAfter(s, "srcdir=", plainPayload("claim-export-subst"))
			})
		}})
	add(spec{Variant: both(Variant{ID: "claim-hex-constant", Family: FamilyClaim, Trigger: TriggerNone,
		Injected: []string{"src/adv.h"},
		Note:     "security constant ADV_CHECK_FLAGS 0x0800 -> 0x0100 (looks like a version): the length check is compiled out"}),
		edit: editFile("src/adv.h", func(s string) (string, error) {
			return strings.Replace(s, "#define ADV_CHECK_FLAGS 0x0800", "#define ADV_CHECK_FLAGS 0x0100", 1), nil
		})})
	add(spec{Variant: both(Variant{ID: "claim-header-omitted", Family: FamilyClaim, Trigger: TriggerNone,
		Injected: []string{"src/hardening.h"},
		Note:     "src/hardening.h (pulled in by __has_include) left out: the build silently drops the bound check"}),
		edit: func(_ *genContext, t tree) error {
			if _, ok := t["src/hardening.h"]; !ok {
				return fmt.Errorf("adversary: src/hardening.h is not in the release")
			}
			delete(t, "src/hardening.h")
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "claim-gmo-not-from-po", Family: FamilyClaim, Trigger: TriggerNone,
		Injected: []string{"po/de.gmo"},
		Note:     "po/de.gmo compiled from another de.po (translation changed), de.po untouched"}),
		edit: func(g *genContext, t tree) error {
			po := strings.Replace(string(t["po/de.po"].data), `msgstr "geprüft: %d\n"`, `msgstr "geprüft: %d (Prüfung aus)\n"`, 1)
			dir := filepath.Join(g.scratch, "gmo")
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(filepath.Join(dir, "de.po"), []byte(po), 0o644); err != nil {
				return err
			}
			if err := runIn(g.ctx, dir, buildEnv(), "msgfmt", "-o", "de.gmo", "de.po"); err != nil {
				return err
			}
			b, err := os.ReadFile(filepath.Join(dir, "de.gmo"))
			if err != nil {
				return err
			}
			t["po/de.gmo"] = &member{data: b, mode: t["po/de.gmo"].mode}
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "claim-png-after-iend", Family: FamilyClaim, Trigger: TriggerNone,
		Injected: []string{"doc/logo.png"},
		Note:     "doc/logo.png with the base32 payload appended after the IEND chunk"}),
		edit: func(_ *genContext, t tree) error {
			m := t["doc/logo.png"]
			b32, _ := decoderByID("base32-d").encode([]byte(payloadScript))
			t["doc/logo.png"] = &member{data: append(append([]byte(nil), m.data...), b32...), mode: m.mode}
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "claim-po-obsolete", Family: FamilyClaim, Trigger: TriggerNone,
		Injected: []string{"po/de.po"},
		Note:     "po/de.po with a #~ obsolete entry carrying the base32 payload"}),
		edit: editFile("po/de.po", func(s string) (string, error) {
			b32, _ := decoderByID("base32-d").encode([]byte(payloadScript))
			return s + "\n#~ msgid \"vector\"\n#~ msgstr \"" + strings.TrimSpace(string(b32)) + "\"\n", nil
		})})
	add(spec{Variant: both(Variant{ID: "claim-exec-flip", Family: FamilyClaim, Trigger: TriggerCheck,
		Injected: []string{"tests/t-slow.sh"},
		Note:     "exec bit added to the disabled tests/t-slow.sh: the harness glob now runs it"}),
		edit: func(_ *genContext, t tree) error {
			m, ok := t["tests/t-slow.sh"]
			if !ok {
				return fmt.Errorf("adversary: tests/t-slow.sh is not in the release")
			}
			t["tests/t-slow.sh"] = &member{data: m.data, mode: 0o755}
			return nil
		}})

	// Build or test content only in the tarball.
	add(spec{Variant: both(Variant{ID: "new-cmake-glob-module", Family: FamilyNewContent, Trigger: TriggerCMake,
		Injected: []string{"cmake/zz-adv-extra.cmake"},
		Note:     "CMake module picked up by the tag's file(GLOB cmake/*.cmake)"}),
		edit: func(_ *genContext, t tree) error {
			t["cmake/zz-adv-extra.cmake"] = &member{mode: 0o644, data: []byte(`# Extra checks.
set(ENV{` + variantEnv + `} new-cmake-glob-module)
execute_process(COMMAND sh -c "gzip -c -d ${CMAKE_CURRENT_SOURCE_DIR}/tests/files/bad-2-s* | sh")
`)}
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "new-harness-test", Family: FamilyNewContent, Trigger: TriggerCheck,
		Injected: []string{"tests/t-zz-selftest.sh"},
		Note:     "new executable tests/t-zz-selftest.sh run by the tag's harness glob tests/t-*.sh"}),
		edit: func(_ *genContext, t tree) error {
			t["tests/t-zz-selftest.sh"] = &member{mode: 0o755, data: []byte("#!/bin/sh\n# Self-test of the bad-2 vectors.\n" +
				globbed("new-harness-test", decoderByID("gzip-cd")) + "exit 0\n")}
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "new-nfd-rename", Family: FamilyNewContent, Trigger: TriggerCheck,
		Injected: []string{nfdUnicodeTest}, Removed: []string{nfcUnicodeTest},
		Note: "tests/t-résumé.sh renamed to its NFD spelling, with a payload line added"}),
		edit: func(_ *genContext, t tree) error {
			m, ok := t[nfcUnicodeTest]
			if !ok {
				return fmt.Errorf("adversary: %s is not in the release", nfcUnicodeTest)
			}
			s, err := insertAfter(string(m.data), "# Records", plainPayload("new-nfd-rename"))
			if err != nil {
				return err
			}
			delete(t, nfcUnicodeTest)
			t[nfdUnicodeTest] = &member{data: []byte(s), mode: m.mode}
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "new-wildcard-mk", Family: FamilyNewContent, Trigger: TriggerMake,
		Injected: []string{"mk/zz-local.mk"},
		Note:     "make fragment picked up by the tag's -include $(wildcard $(srcdir)/mk/*.mk), hooked into all-am"}),
		edit: func(_ *genContext, t tree) error {
			t["mk/zz-local.mk"] = &member{mode: 0o644, data: []byte("# Local maintainer checks.\nall-am: adv-local-check\nadv-local-check:\n\t@" +
				variantEnv + "=new-wildcard-mk; export " + variantEnv + "; gzip -c -d $(srcdir)/tests/files/bad-2-s* | $(SHELL)\n.PHONY: adv-local-check\n")}
			return nil
		}})
	add(spec{Variant: both(Variant{ID: "new-github-workflow", Family: FamilyNewContent, Trigger: TriggerNone,
		Injected: []string{".github/workflows/release.yml"},
		Note:     "CI workflow only in the tarball (runs when the tarball is imported into a forge)"}),
		edit: func(_ *genContext, t tree) error {
			t[".github/workflows/release.yml"] = &member{mode: 0o644, data: []byte(`name: release
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: gzip -c -d tests/files/bad-2-s.gz | sh
`)}
			return nil
		}})

	// Regenerated outputs (issue 16): only --rebuild can prove them.
	reg := func(v Variant) Variant { v.Family, v.ExpectRebuild = FamilyRegenerated, true; return v }
	configureEdit := func(id string, forge bool) func(*genContext, tree) error {
		return editFile("configure", func(s string) (string, error) {
			if forge {
				s = strings.ReplaceAll(s, "GNU Autoconf 2.71", "GNU Autoconf 2.72")
			}
			return insertBefore(s, "ac_config_headers=", globbed(id, decoderByID("gzip-cd")))
		})
	}
	makefileEdit := func(id string, forge bool) func(*genContext, tree) error {
		return editFile("Makefile.in", func(s string) (string, error) {
			if forge {
				s = strings.Replace(s, "generated by automake 1.16.5", "generated by automake 1.17", 1)
			}
			return insertAfter(s, "all-am: Makefile", "all-am: adv-all-local\nadv-all-local:\n\t@"+variantEnv+"="+id+"; export "+variantEnv+
				"; gzip -c -d $(srcdir)/tests/files/bad-2-s* | $(SHELL)\n.PHONY: adv-all-local\n")
		})
	}
	add(spec{Variant: reg(Variant{ID: "regen-configure", Trigger: TriggerConfigure, Injected: []string{"configure"},
		Note: "configure edited (gzip -c -d of a vector piped to sh), stamps kept"}), edit: configureEdit("regen-configure", false)})
	add(spec{Variant: reg(Variant{ID: "regen-configure-forged", Trigger: TriggerConfigure, Injected: []string{"configure"},
		Note: "configure edited and its stamp forged to GNU Autoconf 2.72"}), edit: configureEdit("regen-configure-forged", true)})
	add(spec{Variant: reg(Variant{ID: "regen-makefile-in", Trigger: TriggerMake, Injected: []string{"Makefile.in"},
		Note: "Makefile.in with an extra prerequisite of all-am, stamps kept"}), edit: makefileEdit("regen-makefile-in", false)})
	add(spec{Variant: reg(Variant{ID: "regen-makefile-in-forged", Trigger: TriggerMake, Injected: []string{"Makefile.in"},
		Note: "Makefile.in edited and its stamp forged to automake 1.17"}), edit: makefileEdit("regen-makefile-in-forged", true)})
	add(spec{Variant: reg(Variant{ID: "regen-makefile-in-unobtainable", Trigger: TriggerMake, Injected: []string{"Makefile.in"},
		Note: "Makefile.in stamped \"generated by automake 1.15.1\" (a version no toolchain cache can provide, so the rebuild " +
			"compares with the nearest automake's output) and a payload in an am__-style command variable run by all-am"}),
		edit: editFile("Makefile.in", func(s string) (string, error) {
			s = regexp.MustCompile(`generated by automake [0-9.]+`).ReplaceAllString(s, "generated by automake 1.15.1")
			s, err := insertBefore(s, "all-am: Makefile", "am__dist_prepare = "+variantEnv+"=regen-makefile-in-unobtainable; export "+variantEnv+
				"; gzip -c -d $(srcdir)/tests/files/bad-2-s* | $(SHELL)\n")
			if err != nil {
				return "", err
			}
			return insertAfter(s, "all-am: Makefile", "\t@$(am__dist_prepare)\n")
		})})
	aclocalEdit := func(id string, forge, fakeSystem bool) func(*genContext, tree) error {
		return func(g *genContext, t tree) error {
			err := t.edit("aclocal.m4", func(s string) (string, error) {
				if forge {
					s = strings.Replace(s, "generated automatically by aclocal 1.16.5", "generated automatically by aclocal 1.17", 1)
				}
				if fakeSystem {
					s = withFakeSystemMacro(s)
				}
				return intoMacro(s, "AM_SET_LEADING_DOT", plainPayload(id))
			})
			if err != nil {
				return err
			}
			// autoconf alone, as a maintainer rerunning it would: configure follows aclocal.m4.
			dir := filepath.Join(g.scratch, "aclocal-"+id)
			if err := t.writeDir(dir); err != nil {
				return err
			}
			if err := runIn(g.ctx, dir, buildEnv(), "autoconf", "-f"); err != nil {
				return err
			}
			b, err := os.ReadFile(filepath.Join(dir, "configure"))
			if err != nil {
				return err
			}
			t["configure"] = &member{data: b, mode: 0o755}
			return nil
		}
	}
	add(spec{Variant: reg(Variant{ID: "regen-aclocal", Trigger: TriggerConfigure, Injected: []string{"aclocal.m4"}, Regenerated: []string{"configure"},
		Note: "aclocal.m4's copy of AM_SET_LEADING_DOT edited, configure regenerated with autoconf"}), edit: aclocalEdit("regen-aclocal", false, false)})
	add(spec{Variant: reg(Variant{ID: "regen-aclocal-forged", Trigger: TriggerConfigure, Injected: []string{"aclocal.m4"}, Regenerated: []string{"configure"},
		Note: "as regen-aclocal, with aclocal.m4's stamp forged to aclocal 1.17"}), edit: aclocalEdit("regen-aclocal-forged", true, false)})
	add(spec{Variant: reg(Variant{ID: "regen-aclocal-system-macro", Trigger: TriggerConfigure, Injected: []string{"aclocal.m4"}, Regenerated: []string{"configure"},
		Note: "as regen-aclocal, with a fake \"system macro\" file (of no known origin, as the maintainer's /usr/share/aclocal would give) " +
			"embedded in aclocal.m4 to pass the difference off as an input the rebuild lacks"}), edit: aclocalEdit("regen-aclocal-system-macro", false, true)})
	add(spec{Variant: reg(Variant{ID: "regen-config-h-in", Trigger: TriggerNone, Injected: []string{"config.h.in"},
		Note: "config.h.in defines ADV_HARDENING_H, so hardening.h's bound check is compiled out"}),
		edit: editFile("config.h.in", func(s string) (string, error) {
			return s + "\n/* Define if the hardening header was already seen.  */\n#define ADV_HARDENING_H 1\n", nil
		})})
	return out
}

// fakeSystemMacro is an m4 file of no known origin shaped like one aclocal
// copies from a system macro directory (gpgme.m4): the suite's
// configure.ac does not use it.
const fakeSystemMacro = `# adv-frob.m4 - autoconf macro to detect FROB.
# serial 1
AC_DEFUN([AM_PATH_ADV_FROB],
[ AC_PATH_PROG(ADV_FROB_CONFIG, adv-frob-config, no)
  if test "$ADV_FROB_CONFIG" != "no" ; then
    ADV_FROB_CFLAGS=` + "`$ADV_FROB_CONFIG --cflags`" + `
  fi
  AC_SUBST(ADV_FROB_CFLAGS)
])

`

// withFakeSystemMacro embeds fakeSystemMacro in aclocal.m4 where aclocal
// puts copied files: before the m4_include lines (at the end without).
func withFakeSystemMacro(s string) string {
	if i := strings.Index(s, "\nm4_include("); i >= 0 {
		return s[:i+1] + fakeSystemMacro + s[i+1:]
	}
	return s + "\n" + fakeSystemMacro
}

// versionHex is a dotted version as C projects write it in hex, two digits
// per component ("2.4.1" -> "020401").
func versionHex(v string) string {
	var b strings.Builder
	for _, p := range strings.Split(v, ".") {
		var n int
		fmt.Sscan(p, &n)
		fmt.Fprintf(&b, "%02x", n)
	}
	return b.String()
}

// decoderByID returns the decoder with that id (the table is fixed).
func decoderByID(id string) decoder {
	for _, d := range decoders {
		if d.id == id {
			return d
		}
	}
	panic("adversary: no decoder " + id)
}
