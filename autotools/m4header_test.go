package autotools

import (
	"errors"
	"slices"
	"testing"
)

func TestParseM4Header(t *testing.T) {
	tests := []struct {
		name    string
		content string
		serial  string
		serials []string
		macros  []string
		maxYear int
		years   int
		err     error
	}{
		{name: "gnulib", content: "# stdlib_h.m4 serial 66\ndnl Copyright (C) 1995, 2001-2023 Free Software Foundation, Inc.\nAC_DEFUN([gl_STDLIB_H],\n[\n  AC_REQUIRE([gl_STDLIB_H_DEFAULTS])\n])\nAC_DEFUN_ONCE([gl_STDLIB_H_DEFAULTS], [:])\n",
			serial: "66", serials: []string{"66"}, macros: []string{"gl_STDLIB_H", "gl_STDLIB_H_DEFAULTS"}, maxYear: 2023, years: 24},
		{name: "autoconf-archive", content: "#serial 31\n\nAC_DEFUN([AX_PTHREAD], [\n])\n", serial: "31", serials: []string{"31"}, macros: []string{"AX_PTHREAD"}},
		{name: "pkg.m4", content: "# pkg.m4 - Macros to locate and use pkg-config.   -*- Autoconf -*-\n# serial 12 (pkg-config-0.29.2)\ndnl Copyright © 2004 Scott James Remnant <scott@netsplit.com>.\nAC_DEFUN([PKG_PREREQ],\n[m4_define([PKG_MACROS_VERSION], [0.29.2])])\n",
			serial: "12", serials: []string{"12"}, macros: []string{"PKG_PREREQ"}, maxYear: 2004, years: 1},
		{name: "dnl serial dotted", content: "dnl serial 1.10\nAU_DEFUN([OLD], [NEW])\nAU_ALIAS([OLDER], [NEW])\n", serial: "1.10", serials: []string{"1.10"}, macros: []string{"OLD", "OLDER"}},
		{name: "libtool", content: "# serial 59 LT_INIT\n# serial 2 other\nAC_DEFUN([LT_INIT],\n", serial: "59", serials: []string{"59", "2"}, macros: []string{"LT_INIT"}},
		{name: "indented serial ignored", content: "  # serial 5\nAC_DEFUN([X],[])\n", serial: "", serials: nil, macros: []string{"X"}},
		{name: "duplicate macro", content: "AC_DEFUN([X],[])\nAC_DEFUN([X],[])\n", macros: []string{"X"}},
		{name: "crlf", content: "# serial 3\r\nAC_DEFUN([gl_CRLF], [])\r\n", serial: "3", serials: []string{"3"}, macros: []string{"gl_CRLF"}},
		{name: "not m4", content: "int main(void) { return 0; }\n", err: ErrNotM4},
		{name: "empty", content: "", err: ErrNotM4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseM4Header([]byte(tt.content))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if h.Serial != tt.serial || !slices.Equal(h.Serials, tt.serials) {
				t.Errorf("serial = %q %q, want %q %q", h.Serial, h.Serials, tt.serial, tt.serials)
			}
			if !slices.Equal(h.Macros, tt.macros) {
				t.Errorf("macros = %q, want %q", h.Macros, tt.macros)
			}
			if h.MaxYear() != tt.maxYear {
				t.Errorf("max year = %d, want %d", h.MaxYear(), tt.maxYear)
			}
			if tt.years != 0 && len(h.CopyrightYears) != tt.years {
				t.Errorf("years = %v, want %d of them", h.CopyrightYears, tt.years)
			}
		})
	}
}

func TestCompareSerials(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"10", "9", 1}, {"9", "10", -1}, {"3", "3", 0}, {"1.10", "1.9", 1}, {"1.0", "1", 0},
		{"007", "7", 0}, {"30", "3", 1}, {"", "1", -1}, {"99999999999999999999", "1", 1},
	}
	for _, tt := range tests {
		if got := CompareSerials(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareSerials(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
